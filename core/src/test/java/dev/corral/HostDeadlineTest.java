package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Host functions see the running call's deadline and can stop at it. */
class HostDeadlineTest {
    private static final FunctionSignature LOG = FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of());
    private static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());

    private static HostModuleDef env(HostFunctionDef.Implementation block) {
        return HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "log", LOG, (c, a) -> null),
                HostFunctionDef.of("env", "block", VOID, block),
                HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                        (c, a) -> new long[] {a[0]})));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aHostLoopThatChecksTheDeadlineStopsAtIt(ExecutionMode mode) {
        var firstLeft = new AtomicLong(-1);
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder()
                    .timeout(Duration.ofMillis(50))
                    .hostModule(env((c, a) -> {
                        firstLeft.set(c.nanosLeft());
                        while (true) {
                            c.checkDeadline(); // Java work that never looks at the interrupt flag
                        }
                    })).build());
            long t0 = System.nanoTime();
            var e = assertThrows(CallTimeoutException.class, () -> p.call("wait"));
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(tookMs < 2_000, "took " + tookMs + " ms");
            assertTrue(e.getMessage().contains("'wait'"), e.getMessage());
            assertTrue(firstLeft.get() > 0 && firstLeft.get() <= 50_000_000L, "nanosLeft " + firstLeft.get());
            assertEquals(42, p.call("double", 21).getInt(0)); // usable afterwards
            assertTrue(!Thread.currentThread().isInterrupted());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void withoutATimeoutThereIsNoDeadline(ExecutionMode mode) {
        var left = new AtomicLong();
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder()
                    .hostModule(env((c, a) -> {
                        left.set(c.nanosLeft());
                        c.checkDeadline();
                        return null;
                    })).build());
            p.call("wait");
            assertEquals(Long.MAX_VALUE, left.get());
        }
    }
}
