package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void addsInBothModes() throws Exception {
        for (var mode : ExecutionMode.values()) {
            try (var corral = Corral.builder().executionMode(mode).build()) {
                var m = corral.load(getClass().getResourceAsStream("/wasm/arith.wasm"));
                var p = m.instantiate();
                assertEquals(5, p.call("add", 2, 3).getInt(0));
                assertEquals(55, p.call("fib", 10).getInt(0));
                assertEquals("0.25", p.call("mulf", 0.5f, 0.5f).toString());
            }
        }
    }
}
