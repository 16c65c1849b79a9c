package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CompileCache;
import dev.corral.ExecutionMode;
import dev.corral.LoadLimits;
import dev.corral.ModuleLoadException;
import dev.corral.internal.Engine;
import dev.corral.internal.LoadSettings;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fuel-metered variant, built at the first metered instantiation, is bound by the load's time limit too. */
class LoadBudgetTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void meteringStopsAtTheDeadline(ExecutionMode mode) throws IOException {
        byte[] wasm;
        try (InputStream in = LoadBudgetTest.class.getResourceAsStream("/wasm/fuel_constructs.wasm")) {
            wasm = in.readAllBytes();
        }
        var engine = new Engine(mode, CompileCache.inMemory(), LoadSettings.DEFAULTS);
        var tight = LoadSettings.DEFAULTS.withLimits(LoadLimits.builder().maxCompileTime(Duration.ofNanos(1)).build());
        var e = assertThrows(ModuleLoadException.class, () -> ChicoryModuleLoader.meter(engine, "m", ChicoryModuleLoader.sha256(wasm), wasm, mode, tight));
        assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
        assertTrue(e.getMessage().contains("took longer than 0 ms (stopped after parsing)"), e.getMessage());
        // with time enough it builds
        var variant = ChicoryModuleLoader.meter(engine, "m", ChicoryModuleLoader.sha256(wasm), wasm, mode, LoadSettings.DEFAULTS);
        assertTrue(variant.metered());
        engine.close();
    }
}
