package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginPolicy;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Dead fuel wrappers ({@link WrapperUse}): only those nothing but a clone can call lose their body. */
class WrapperUseTest {
    private static byte[] fixture() throws Exception {
        return WrapperUseTest.class.getResourceAsStream("/wasm/wrapper_use.wasm").readAllBytes();
    }

    /** Names of the functions whose wrapper came out as {@code unreachable}. */
    private static Set<String> deadWrappers(byte[] bytes, WasmModule original, FuelInstrumenter.Result r) {
        WasmModule m = ChicoryModuleLoader.parse("t", r.bytes()); // validates
        int imported = m.importSection().count(ExternalType.FUNCTION);
        Set<String> dead = new TreeSet<>();
        for (int original2 : r.clones().values()) {
            var body = m.codeSection().getFunctionBody(original2 - imported).instructions();
            if (body.size() == 2 && body.get(0).opcode() == OpCode.UNREACHABLE) {
                dead.add(original.nameSection().nameOfFunction(original2));
            }
        }
        return dead;
    }

    @Test
    void onlyAWrapperNothingButClonesCallsIsDead() throws Exception {
        byte[] bytes = fixture();
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        // as written: $tailer has a tail call, so it charges the global and calls wrappers
        // ($internal, $fromTailer); exports, the start function, tables and ref.func keep theirs
        var r = FuelInstrumenter.instrument(bytes, original, false);
        assertEquals(Set.of("onlyDirect"), deadWrappers(bytes, original, r));
        // as a load hands it on (tail calls rewritten): $tailer runs as a clone called by clones only,
        // and its callees' wrappers die too
        byte[] loaded = TailCalls.rewrite(bytes, original);
        WasmModule parsed = ChicoryModuleLoader.parse("t", loaded);
        assertEquals(Set.of("fromTailer", "internal", "onlyDirect", "tailer"),
                deadWrappers(loaded, parsed, FuelInstrumenter.instrument(loaded, parsed, true)));
    }

    /**
     * Through loads (which give the start function its fuel): compiled and interpreted, metered,
     * every call answers as unmetered and both modes charge the same fuel (a dead wrapper reached
     * would trap).
     */
    @Test
    void loadsNeverReachADeadWrapperAndBothModesChargeTheSame() throws Exception {
        byte[] bytes = fixture();
        try (Corral corral = Corral.create()) {
            var plain = corral.load(bytes);
            var compiled = corral.loader().metered(true).load(bytes);
            var interpreted = corral.loader().executionMode(ExecutionMode.INTERPRETED).metered(true).load(bytes);
            var policy = PluginPolicy.builder().fuel(1_000_000).build();
            for (String export : new String[] {"exported", "run"}) {
                for (int arg : new int[] {-4, 0, 1, 12}) {
                    try (var p = plain.instantiate(PluginPolicy.builder().build());
                            var c = compiled.instantiate(policy);
                            var i = interpreted.instantiate(policy)) {
                        int expected = p.call(export, arg).getInt(0);
                        assertEquals(expected, c.call(export, arg).getInt(0), export + "(" + arg + ")");
                        assertEquals(expected, i.call(export, arg).getInt(0), export + "(" + arg + ")");
                        assertEquals(i.fuelConsumedTotal(), c.fuelConsumedTotal(), export + "(" + arg + ")");
                        assertTrue(c.fuelConsumed() > 0);
                    }
                }
            }
        }
    }
}
