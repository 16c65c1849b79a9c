package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WasiCommandTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void procExitEndsTheCallWithItsCodeAndOutputGoesWhereTheHostSaid(ExecutionMode mode) {
        var out = new ByteArrayOutputStream();
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(Fixtures.wasm("wasi_exit"));
            var p = m.instantiate(PluginPolicy.builder().stdout(out).build());
            assertEquals(3, p.runMain());
            assertEquals("hi\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(3, assertThrows(PluginExitException.class, () -> p.call("_start")).exitCode());
            assertEquals(0, assertThrows(PluginExitException.class, () -> p.call("exit_zero")).exitCode());
            // nothing granted: output is discarded, not an error
            assertEquals(3, m.instantiate().runMain());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aReactorIsInitializedExactlyOnceAtInstantiation(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("reactor")).instantiate();
            assertEquals(1, p.call("ready").getInt(0));
            assertEquals(1, p.call("ready").getInt(0));
        }
    }
}
