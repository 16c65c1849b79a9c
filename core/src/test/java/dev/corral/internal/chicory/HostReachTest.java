package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which exports can call the host, so which metered timed calls may be stopped by fuel alone: a
 * wrong "cannot" would leave a call blocked in a host function unstoppable.
 */
class HostReachTest {
    private static WasmModule parse(String fixture) throws Exception {
        try (InputStream in = HostReachTest.class.getResourceAsStream("/wasm/" + fixture + ".wasm")) {
            return ChicoryModuleLoader.parse(fixture, in.readAllBytes());
        }
    }

    private static boolean reach(WasmModule m, String export) {
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            var e = m.exportSection().getExport(i);
            if (e.name().equals(export) && e.exportType() == ExternalType.FUNCTION) {
                return HostReach.canCallHost(m, (int) e.index());
            }
        }
        throw new AssertionError("no export " + export);
    }

    @Test
    void directAndTransitiveImportCallsReachTheHost() throws Exception {
        var m = parse("fuel_stop");
        var expected = Map.of("spin", false, "spin_calls", false, "tail_forever", false, "work", false,
                "wait", true, "tick_then_spin", true, "tick_work", true, "indirect_work", true);
        expected.forEach((export, can) -> assertEquals(can, reach(m, export), export));
    }

    @Test
    void theMeteredVariantAnswersAsTheOriginal() throws Exception {
        byte[] bytes = FuelInstrumenterTest.asLoaded(java.nio.file.Path.of(HostReachTest.class.getResource("/wasm/fuel_stop.wasm").toURI()));
        var original = ChicoryModuleLoader.parse("t", bytes);
        var metered = ChicoryModuleLoader.parse("t", FuelInstrumenter.instrument(bytes, original).bytes());
        for (String export : new String[] {"spin", "spin_calls", "tail_forever", "work", "wait", "tick_then_spin", "tick_work", "indirect_work"}) {
            assertEquals(reach(original, export), reach(metered, export), export);
        }
    }

    @Test
    void withoutImportsNothingReachesTheHost() throws Exception {
        var m = parse("loops");
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            var e = m.exportSection().getExport(i);
            if (e.exportType() == ExternalType.FUNCTION) {
                assertEquals(false, HostReach.canCallHost(m, (int) e.index()), e.name());
            }
        }
        var host = parse("host");
        assertEquals(true, reach(host, "via_host"));
        assertEquals(false, reach(host, "double"));
    }

    /** The guard gets the answer: a metered plugin's handles of pure exports are stopped by fuel, the others not. */
    @Test
    void meteredHandlesOfPureExportsStopByFuel() throws Exception {
        byte[] wasm;
        try (InputStream in = HostReachTest.class.getResourceAsStream("/wasm/fuel_stop.wasm")) {
            wasm = in.readAllBytes();
        }
        var sig = dev.corral.FunctionSignature.of(java.util.List.of(), java.util.List.of());
        var env = dev.corral.spi.HostModuleDef.of("env", java.util.List.of(
                dev.corral.spi.HostFunctionDef.of("env", "block", sig, (c, a) -> null),
                dev.corral.spi.HostFunctionDef.of("env", "tick", sig, (c, a) -> null)));
        try (var corral = dev.corral.Corral.builder().build()) {
            var module = corral.load(wasm);
            var metered = module.instantiate(dev.corral.PluginPolicy.builder().fuel(1_000_000)
                    .timeout(java.time.Duration.ofSeconds(1)).hostModule(env).build());
            var plain = module.instantiate(dev.corral.PluginPolicy.builder()
                    .timeout(java.time.Duration.ofSeconds(1)).hostModule(env).build());
            assertEquals(true, ((ExportHandle) metered.function("work")).fuelStop);
            assertEquals(true, ((ExportHandle) metered.function("work").withTimeout(java.time.Duration.ofSeconds(2))).fuelStop);
            assertEquals(false, ((ExportHandle) metered.function("tick_work")).fuelStop);
            assertEquals(false, ((ExportHandle) metered.function("indirect_work")).fuelStop);
            assertEquals(false, ((ExportHandle) plain.function("work")).fuelStop, "unmetered: by interrupt");
        }
    }
}
