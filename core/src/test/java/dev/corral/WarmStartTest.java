package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A warm start (a second engine on the same directory cache) takes a shorter path than the first
 * load: no function body decoded, no validation, no pre-validation pass (see core/README.md,
 * "A warm start decodes no function body"). Whatever path ran, every export must behave the same: results, traps (kind and
 * function named), fuel, in the plain and the metered variant.
 */
class WarmStartTest {
    // endless loops end at the deadline (plain) or when the fuel runs out (metered), the same way on both paths
    private static final PluginPolicy PLAIN = PluginPolicy.builder().timeout(Duration.ofSeconds(1)).build();
    private static final PluginPolicy METERED = PluginPolicy.builder().fuel(1_000_000).timeout(Duration.ofSeconds(10)).build();

    @ParameterizedTest
    @ValueSource(strings = {"arith", "traps", "fuel_unroll", "fuel_bare", "memory", "tables", "split_shapes",
            "start_trap", "fuel_constructs"})
    void aWarmStartBehavesLikeTheFirstLoad(String fixture, @TempDir Path dir) {
        byte[] wasm = Fixtures.wasm(fixture);
        List<String> cold;
        try (var first = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            var module = first.load(wasm);
            assertTrue(!module.compileFacts().fromCache());
            cold = outcomes(module);
        }
        try (var second = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            var module = second.load(wasm);
            // a module with tail calls is rewritten first and takes the full path (on cached classes still)
            boolean tailCalls = fixture.equals("fuel_constructs");
            assertEquals(!tailCalls, module.compileFacts().fromCache(), fixture + ": " + module.compileFacts());
            List<String> warm = outcomes(module);
            assertEquals(0, second.stats().compilations(), "both variants came from the cache");
            assertEquals(cold, warm);
        }
    }

    /**
     * An inspection on a warm cache reads only the module's interface (no body decoded) and its
     * compile() is a warm load: the same answers as a cold inspection, the module from the cache.
     */
    @ParameterizedTest
    @ValueSource(strings = {"arith", "split_shapes", "tables", "memory"})
    void aWarmInspectionAnswersLikeTheFirst(String fixture, @TempDir Path dir) {
        byte[] wasm = Fixtures.wasm(fixture);
        ModuleInfo cold;
        List<String> coldOutcomes;
        try (var first = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            cold = first.loader().inspect(wasm);
            coldOutcomes = outcomes(cold.compile());
        }
        try (var second = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            ModuleInfo warm = second.loader().inspect(wasm);
            assertEquals(cold.imports(), warm.imports());
            assertEquals(cold.exports(), warm.exports());
            assertEquals(cold.memories(), warm.memories());
            assertEquals(cold.functionCount(), warm.functionCount());
            assertEquals(cold.largestFunctionBytes(), warm.largestFunctionBytes());
            assertTrue(warm.largestFunctionBytes() > 0);
            assertEquals(cold.unlinkableImports(PluginPolicy.defaults()), warm.unlinkableImports(PluginPolicy.defaults()));
            var module = warm.compile();
            assertTrue(module.compileFacts().fromCache(), fixture + ": " + module.compileFacts());
            assertEquals(0, second.stats().compilations());
            assertEquals(1, second.stats().modulesLoaded());
            assertEquals(coldOutcomes, outcomes(module));
        }
    }

    /** Every numeric export called with a few arguments, plain then metered: results, traps and fuel. */
    private static List<String> outcomes(PluginModule module) {
        return outcomes(module, List.of(PLAIN, METERED));
    }

    private static List<String> outcomes(PluginModule module, List<PluginPolicy> policies) {
        var out = new ArrayList<String>();
        for (var policy : policies) {
            for (long arg : new long[] {0, 7}) {
                for (var e : module.exports()) {
                    if (e.kind() != ExternKind.FUNCTION || !e.signature().params().stream().allMatch(ValueType::isNumeric)) {
                        continue;
                    }
                    long[] args = new long[e.signature().params().size()];
                    Arrays.fill(args, arg);
                    out.add(e.name() + "(" + arg + ") = " + outcome(module, policy, e.name(), args));
                }
            }
        }
        return out;
    }

    private static String outcome(PluginModule module, PluginPolicy policy, String export, long[] args) {
        try (var p = module.instantiate(policy)) {
            String outcome;
            try {
                outcome = Arrays.toString(p.function(export).callRaw(args));
            } catch (CorralException t) {
                outcome = describe(t);
            }
            return outcome + (policy == METERED ? " fuel " + p.fuelConsumedTotal() : "");
        } catch (CorralException t) {
            return "instantiate: " + describe(t);
        }
    }

    private static String describe(CorralException t) {
        return t instanceof TrapException ? "trap " + ((TrapException) t).kind() + " in " + ((TrapException) t).function().orElse("?")
                : t.getClass().getSimpleName();
    }

    /** The pre-validator's facts come from the cache, but a stricter load still refuses the module, as a scan would. */
    @Test
    void aStricterLoadIsRefusedOnAWarmStartToo(@TempDir Path dir) {
        byte[] wasm = Fixtures.wasm("fuel_loops");
        try (var first = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            first.load(wasm);
        }
        try (var second = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            var strict = LoadLimits.builder().maxNestingDepth(1).build();
            var e = assertThrows(ModuleLoadException.class, () -> second.loader().limits(strict).load(wasm));
            assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
            assertTrue(e.getMessage().contains("maxNestingDepth"), e.getMessage());
            // the same message a cold load gives
            try (var cold = Corral.create()) {
                var c = assertThrows(ModuleLoadException.class, () -> cold.loader().limits(strict).load(wasm));
                assertEquals(c.getMessage(), e.getMessage());
            }
        }
    }

    /** Damaged warm-start entries (facts, plan, classes) cost a compile, never a failed or different load. */
    @Test
    void damagedEntriesFallBackToTheFullPath(@TempDir Path dir) throws Exception {
        byte[] wasm = HugeFunctionTest.hugeDivider(20_000); // split: a plan, the classes and the facts
        List<String> cold;
        try (var first = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            cold = outcomes(first.load(wasm), List.of(PLAIN));
        }
        try (var files = Files.list(dir)) {
            for (var f : files.toList()) {
                byte[] b = Files.readAllBytes(f);
                b[b.length / 2] ^= 0x55;
                Files.write(f, b);
            }
        }
        try (var second = Corral.builder().compileCache(CompileCache.directory(dir)).build()) {
            assertEquals(cold, outcomes(second.load(wasm), List.of(PLAIN)));
        }
    }
}
