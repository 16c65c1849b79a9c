package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.WasmModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The splitter is a semantic no-op: every fixture, with every function split as small as the
 * planner can cut it, runs compiled (no interpreter fallback) exactly like the unsplit module in
 * Chicory's interpreter: the same results, memory size and traps, and, metered, the same fuel
 * to the unit under budgets that run out all over the code.
 */
class FunctionSplitterTest {
    /** Estimated JVM bytes per function and helper: tiny, so nearly everything moves. */
    private static final int[] BUDGETS = {60, 700};
    private static final long[] FUEL = {0, 7, 333, 5_000, 200_000};

    static Stream<Path> fixtures() throws Exception {
        return FuelInstrumenterTest.fixtures();
    }

    private static FunctionSplitter.Options everything(int budget) {
        return new FunctionSplitter.Options(0, budget, Map.of());
    }

    /** The unsplit module, in the interpreter (with its loops made interruptible). */
    private static SplitHarness.Run reference(byte[] bytes, long fuel) {
        WasmModule m = ChicoryModuleLoader.parse("t", bytes);
        byte[] interruptible = CodeRewriter.makeLoopsInterruptible(bytes, m);
        return SplitHarness.run(ChicoryModuleLoader.parse("t", interruptible), TrackingInterpreterMachine::new, fuel);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void splitModulesBehaveLikeTheOriginalInTheInterpreter(Path fixture) throws Exception {
        byte[] bytes = FuelInstrumenterTest.asLoaded(fixture);
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        if (!SplitHarness.runnable(original)) {
            return;
        }
        var interpreted = reference(bytes, -1);
        var compiled = SplitHarness.run(original, SplitHarness.compiled(original), -1);
        for (int budget : BUDGETS) {
            var r = FunctionSplitter.split(bytes, original, everything(budget));
            if (budget == BUDGETS[0] && longestBody(original) >= 40) {
                assertFalse(r.split().isEmpty(), fixture.getFileName() + ": nothing was split");
            }
            WasmModule split = ChicoryModuleLoader.parse("split", r.bytes()); // must validate
            SplitHarness.assertSameBehaviour(interpreted, compiled, SplitHarness.run(split, SplitHarness.compiled(split), -1),
                    fixture.getFileName() + " split to " + budget + " (" + r.split() + "), compiled");
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void splittingAMeteredModuleChangesNoFuelCount(Path fixture) throws Exception {
        byte[] bytes = FuelInstrumenterTest.asLoaded(fixture);
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        if (!SplitHarness.runnable(original) || FuelInstrumenterTest.hasExport(original, FuelInstrumenter.FUEL_EXPORT)) {
            return;
        }
        byte[] forInterpreter = FuelInstrumenter.instrument(bytes, original, true).bytes();
        byte[] forCompiler = FuelInstrumenter.instrument(bytes, original, false).bytes();
        WasmModule meteredInterpreted = ChicoryModuleLoader.parse("m", forInterpreter);
        WasmModule metered = ChicoryModuleLoader.parse("m", forCompiler);
        var unsplitFactory = SplitHarness.compiled(metered);
        var interpreted = new SplitHarness.Run[FUEL.length];
        var compiled = new SplitHarness.Run[FUEL.length];
        for (int k = 0; k < FUEL.length; k++) {
            interpreted[k] = SplitHarness.run(meteredInterpreted, TrackingInterpreterMachine::new, FUEL[k]);
            compiled[k] = SplitHarness.run(metered, unsplitFactory, FUEL[k]);
        }
        for (int budget : new int[] {100}) {
            var r = FunctionSplitter.split(forCompiler, metered, everything(budget));
            WasmModule split = ChicoryModuleLoader.parse("split", r.bytes());
            var factory = SplitHarness.compiled(split);
            for (int k = 0; k < FUEL.length; k++) {
                SplitHarness.assertSameBehaviour(interpreted[k], compiled[k], SplitHarness.run(split, factory, FUEL[k]),
                        fixture.getFileName() + " metered, split to " + budget + ", fuel " + FUEL[k]);
            }
        }
    }

    @Test
    void theSwitchInterpreterMovesInGroupsOfArms() throws Exception {
        byte[] bytes = getClass().getResourceAsStream("/wasm/split_shapes.wasm").readAllBytes();
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        var ctx = new SplitContext(original);
        int vm = functionNamed(original, "vm");
        byte[][] sig = ctx.functionSignature(vm);
        var shape = SplitShape.of(original.codeSection().getFunctionBody(vm - ctx.importedFunctions), bytes, sig[0], sig[1], ctx);
        assertEquals(null, shape.unsupported);
        var planner = new SplitPlanner(shape, 300, 300);
        assertTrue(new SplitSwitches(planner).outline() >= 2, "the arms moved in several groups");
        assertTrue(planner.regions.stream().allMatch(r -> r.arms != null), "only groups so far");
        int arms = planner.regions.stream().mapToInt(r -> r.levels.length).sum();
        assertTrue(arms >= 20, "arms moved: " + arms);
        // and the whole module, split like that, still runs the three programs the same way
        var r = FunctionSplitter.split(bytes, original, everything(300));
        assertTrue(r.split().containsKey(vm), "vm was split: " + r.split());
        WasmModule split = ChicoryModuleLoader.parse("split", r.bytes());
        var run = SplitHarness.run(split, SplitHarness.compiled(split), -1);
        SplitHarness.assertSameBehaviour(reference(bytes, -1), SplitHarness.run(original, SplitHarness.compiled(original), -1), run, "vm");
        String text = run.toString();
        assertTrue(text.contains("vm_main[]: ok") && text.contains("vm_loop[]: ok") && text.contains("vm_trap[]: trap INTEGER_DIVIDE_BY_ZERO"), text);
    }

    @Test
    void localsBeyondTheParameterLimitTravelInRegisters() throws Exception {
        byte[] bytes = getClass().getResourceAsStream("/wasm/split_shapes.wasm").readAllBytes();
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        var ctx = new SplitContext(original);
        int f = functionNamed(original, "many_locals");
        byte[][] sig = ctx.functionSignature(f);
        var shape = SplitShape.of(original.codeSection().getFunctionBody(f - ctx.importedFunctions), bytes, sig[0], sig[1], ctx);
        var planner = new SplitPlanner(shape, 1200, 1200);
        planner.plan();
        assertTrue(planner.regions.stream().anyMatch(r -> r.spillLocals.length > 0
                && r.paramLocals.length + r.stackParams.length == SplitPlanner.MAX_ARGS), "a helper got spilled parameters");
        // and the split module computes what the original does (splitModulesBehaveLikeTheOriginal... runs it too)
        var r = FunctionSplitter.split(bytes, original, everything(1200));
        WasmModule split = ChicoryModuleLoader.parse("split", r.bytes());
        var i = com.dylibso.chicory.runtime.Instance.builder(original).withMachineFactory(TrackingInterpreterMachine::new).build();
        var c = com.dylibso.chicory.runtime.Instance.builder(split).withMachineFactory(SplitHarness.compiled(split)).build();
        for (int x : new int[] {0, 5, -9}) {
            assertEquals(i.export("many_locals").apply(x)[0], c.export("many_locals").apply(x)[0]);
        }
    }

    @Test
    void helpersAreOwnedByTheFunctionTheyWereCutFrom() throws Exception {
        byte[] bytes = getClass().getResourceAsStream("/wasm/split_shapes.wasm").readAllBytes();
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        var r = FunctionSplitter.split(bytes, original, everything(200));
        int functions = original.importSection().count(com.dylibso.chicory.wasm.types.ExternalType.FUNCTION)
                + original.functionSection().functionCount();
        assertFalse(r.helperOwners().isEmpty());
        for (var e : r.helperOwners().entrySet()) {
            assertTrue(e.getKey() >= functions, "helpers come after the module's functions");
            assertTrue(r.split().containsKey(e.getValue()), "owned by a split function");
        }
        assertEquals(r.helperOwners().size(), r.split().values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void aGeneratedModuleWithTwo200KbFunctionsRunsCompiledAndJitable() throws Exception {
        byte[] bytes = GeneratedModules.bigFunctions(300, 330, 10_000, 42);
        WasmModule original = ChicoryModuleLoader.parse("big", bytes);
        for (int f = 0; f < 2; f++) {
            var ins = original.codeSection().getFunctionBody(f).instructions();
            int size = ins.get(ins.size() - 1).address() - ins.get(0).address();
            assertTrue(size > 200_000, "function " + f + " has " + size + " bytes of code");
        }
        var r = FunctionSplitter.split(bytes, original, FunctionSplitter.Options.defaults());
        assertEquals(Map.of(), r.unsplit());
        assertEquals(java.util.Set.of(0, 1), r.split().keySet());
        WasmModule split = ChicoryModuleLoader.parse("split", r.bytes());
        byte[][] jar = new byte[1][];
        var factory = com.dylibso.chicory.compiler.MachineFactoryCompiler.builder(split)
                .withInterpreterFallback(com.dylibso.chicory.compiler.InterpreterFallback.FAIL)
                .withCache(new com.dylibso.chicory.compiler.Cache() {
                    @Override
                    public byte[] get(String key) {
                        return null;
                    }

                    @Override
                    public void putIfAbsent(String key, byte[] data) {
                        jar[0] = data;
                    }
                })
                .compile();
        var code = CompiledCode.ofJar(jar[0]);
        var functions = code.methods.stream().filter(m -> m.function() >= 0).toList();
        assertTrue(functions.size() > 2, "helpers were compiled");
        for (var m : functions) {
            assertTrue(m.bytes() <= FunctionSplitter.JIT_LIMIT, m + " is above HotSpot's huge-method limit");
        }
        var interpreted = com.dylibso.chicory.runtime.Instance.builder(original)
                .withMachineFactory(TrackingInterpreterMachine::new).build();
        var compiled = com.dylibso.chicory.runtime.Instance.builder(split).withMachineFactory(factory).build();
        for (long[] args : new long[][] {{0, 1}, {1, 5}, {2_000, 7}}) {
            assertEquals(java.util.Arrays.toString(interpreted.export("run").apply(args)),
                    java.util.Arrays.toString(compiled.export("run").apply(args)), "run" + java.util.Arrays.toString(args));
        }
        assertEquals(interpreted.export("init").apply(3)[0], compiled.export("init").apply(3)[0]);
    }

    private static int longestBody(WasmModule m) {
        int longest = 0;
        for (int f = 0; f < m.codeSection().functionBodyCount(); f++) {
            longest = Math.max(longest, m.codeSection().getFunctionBody(f).instructions().size());
        }
        return longest;
    }

    private static int functionNamed(WasmModule m, String export) {
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            if (m.exportSection().getExport(i).name().equals(export)) {
                return (int) m.exportSection().getExport(i).index();
            }
        }
        throw new AssertionError(export);
    }

    static List<Path> all() throws Exception {
        return fixtures().toList();
    }
}
