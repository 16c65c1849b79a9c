package dev.corral.internal.chicory;

import static dev.corral.internal.chicory.FuelCode.*;
import static dev.corral.internal.chicory.FuelFlow.*;
import static dev.corral.internal.chicory.FuelModuleWriter.*;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Load-time fuel metering: a binary rewrite that makes a module pay for what it executes.
 *
 * <p><b>What is added.</b> Three mutable globals appended to the global section (so nothing is
 * renumbered): the fuel (i64), exported as {@value #FUEL_EXPORT} so the host can set and read it,
 * its reserve (i64), and the call depth (i32, see {@link CallDepth}). After the module's own
 * functions come a refill helper and, only when the module uses them, up to three helpers that
 * charge for a run-time length; all are {@code (i32) -> (i32)}. Then the clones.
 *
 * <p><b>Files.</b> This class plans the rewrite ({@link #instrument}); {@link FunctionMeter} meters
 * one body, reading its control flow with {@link FuelFlow}; {@link FuelCode} holds the byte
 * sequences emitted; {@link FuelModuleWriter} writes the result.
 *
 * <p><b>Fuel in locals, in chunks.</b> A running function keeps its fuel in an i32 local (a JVM
 * local once compiled, so a loop iteration pays a subtract and a sign test on a register). The
 * local holds at most {@link #CHUNK} units; the rest waits in the reserve. When a charge takes the
 * local below zero, the refill helper moves the next chunk in, or, when the local and the reserve
 * together are below zero, stores that total in the fuel global and traps. So the trap comes at
 * exactly the charge that the total fuel cannot pay, whatever the chunk size (FuelChunkTest).
 * Wherever the host or a directly charging function can look (calls to imports, indirect calls,
 * helpers, exits) the local is flushed: {@code fuel = reserve + local}; afterwards it is reloaded.
 *
 * <p><b>Fuel-passing clones.</b> Every function that can keep fuel in a local gets a clone,
 * appended after the helpers, that runs its metered body and takes the fuel as an extra i32
 * parameter. It hands the fuel back with its results: a clone with no results returns the fuel;
 * one with a single i32 or f32 result returns one i64, the result's bits low and the fuel high;
 * others return {@code (results, i32 fuel)}, which Chicory compiles to a boxed {@code long[]}.
 * The function itself keeps its index and type and becomes a wrapper that moves the fuel between
 * the global and the clone, so exports, tables, {@code ref.func} and the start function are
 * unchanged, while direct calls go clone to clone and never touch a global. That keeps
 * call-heavy code cheap, and keeps a long-running body free of global accesses: Chicory compiles
 * those to calls that the JIT does not inline in a method entered rarely, and the calls make it
 * spill the loop's variables to the stack. Functions with tail calls or {@code try_table}, or
 * with GC-typed signatures, get no clone and charge the fuel global directly.
 * A wrapper that nothing but clones can call (no export, table, {@code ref.func}, start function
 * or directly charging caller reaches it) is dead and gets an {@code unreachable} body
 * ({@link WrapperUse}): Chicory would parse and compile it for nothing.
 *
 * <p><b>Loops around host calls</b> are the exception ({@link FunctionMeter}'s
 * {@code hostCallLoopEnd}): a straight-line loop body that calls the host (or through a table) and
 * no clone is charged on the fuel global, flushed once before the loop and reloaded after it, so
 * its calls need no flush and reload around each of them. Same counts; a host call in such a loop
 * costs ~1.4x an unmetered one instead of ~2.1x (benchmarks/README.md, "Sandbox cost per call").
 *
 * <p><b>Where fuel is charged.</b> Each function body is cut into straight-line segments: a segment
 * ends after every instruction that can transfer control ({@code if}, {@code else}, {@code end},
 * {@code loop}, every branch, {@code return}, tail calls, {@code throw}, {@code unreachable}). Every
 * segment that can be entered (function entry, loop header, then/else arms, after an {@code end},
 * after a conditional branch falls through) starts by subtracting its static cost and, if that
 * leaves too little, refilling or trapping as above. Every loop iteration and every call therefore
 * pays before it runs, so no loop or recursion runs uncharged. Segments after an unconditional
 * transfer are dead until the next {@code end}/{@code else} and get no charge.
 *
 * <p><b>Simple loops, compiled.</b> In the variant for compiled code (the interpreter's runs
 * unchanged), a loop whose body is straight-line code closed by {@code br_if 0} is unrolled
 * {@value #UNROLL} times (eight copies also keep such a clone above C2's inlining size, so it
 * is not inlined into Chicory's dispatcher, where it ran up to 3x slower). When the local holds
 * fuel for a whole round (the copies and the segment after the loop), the round is charged once
 * and an exit after copy j refunds the iterations it skipped; otherwise a single iteration runs with the original charge, refill and trap. Every
 * count is therefore the interpreter's, to the unit, and fuel runs out at the same iteration,
 * while compiled code tests fuel (and Chicory its interrupt flag, on the back-edge) once per
 * round. The segment after such a loop is paid at its exits, not by a charge of its own: that
 * charge's refill call, compiled for real, made the JIT keep the loop's state on the stack.
 *
 * <p><b>Cost model</b> (in fuel units; the public summary is on
 * {@link dev.corral.PluginPolicy.Builder#fuel(long)}):
 * <ul>
 *   <li>1 unit per wasm instruction of the original module, structural ones ({@code block},
 *       {@code end} ...) included; the instrumentation's own code is free. A function's closing
 *       {@code end} is paid on entry, once per call.</li>
 *   <li>{@code memory.grow}: additionally 1024 units per page requested (one unit per 64 bytes),
 *       whether or not the growth succeeds.</li>
 *   <li>{@code memory.fill/copy/init}: additionally 1 unit per 64 bytes (rounded up).</li>
 *   <li>{@code table.grow/fill/copy/init} and GC array allocation/bulk operations: additionally 1
 *       unit per element; {@code array.new_fixed N}: N units.</li>
 *   <li>Host function calls: the policy's host-call cost, charged by the host (see HostCalls).</li>
 * </ul>
 * A segment is charged as a whole on entry, so a segment cut short by a trap or by an exception
 * thrown from a callee has paid for its unexecuted tail: the model is deterministic, not exact.
 *
 * <p>Any instruction Chicory annotates as a branch that this class does not know fails the rewrite
 * ({@link IllegalArgumentException}, reported as an unsupported module), so a new control construct
 * can never run unmetered.
 */
final class FuelInstrumenter {
    /**
     * The metering format (which globals the rewrite adds and what the runtime expects of them),
     * part of a metered plan's cache key: a persistent cache written by a Corral that metered
     * differently (e.g. before the call-depth global) is never reused. Change it with the format.
     */
    static final String FORMAT = "fuel+reserve+depth+hostloops";
    /** Reserved export name of the fuel global. */
    static final String FUEL_EXPORT = "__corral_fuel";

    /**
     * The rewritten module and where its fuel global lives.
     *
     * @param clones each fuel-passing clone's function index, mapped to the function it clones
     */
    record Result(byte[] bytes, int fuelGlobalIndex, int definedGlobalCount, Map<Integer, Integer> clones) {
        /** The fuel global's position among the defined globals: the fuel, its reserve and the depth come last. */
        int fuelSlot() {
            return definedGlobalCount - 3;
        }
    }

    /**
     * Largest amount of fuel a function local holds at once. Fuel in locals is an i32, so a
     * single-result clone can return its result and its fuel packed in one i64 (Chicory compiles a
     * function with two results to return a boxed {@code long[]}); the rest waits in the reserve
     * global. 2^30 leaves room below zero for any block's charge.
     */
    static final int CHUNK = 1 << 30;

    /** Copies of a simple loop's body in the compiled variant, and the largest body unrolled. */
    static final int UNROLL = 8;
    static final int UNROLL_MAX_BODY = 48;

    private FuelInstrumenter() {}

    /** Entry-block costs of the clones, and which clones have their entry block paid by the caller. */
    static final class Entries {
        final long[] cost;
        final boolean[] hoisted;

        Entries(int n) {
            cost = new long[n];
            hoisted = new boolean[n];
        }
    }

    /** Whether {@code body} calls a clone that returns packed results (it then needs an i64 scratch local). */
    private static boolean callsPacked(FunctionBody body, int[] clone, Ret[] rets, int importedFunctions) {
        for (var in : body.instructions()) {
            if (in.opcode() == OpCode.CALL) {
                long callee = in.operand(0) - importedFunctions;
                if (callee >= 0 && callee < clone.length && clone[(int) callee] >= 0 && rets[(int) callee].packed()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Instruments {@code wasm} (already parsed and validated as {@code parsed}). Loops also get the
     * interrupt check of {@link CodeRewriter#makeLoopsInterruptible}, so the result can run in the
     * interpreter.
     */
    static Result instrument(byte[] wasm, WasmModule parsed) {
        return instrument(wasm, parsed, true);
    }

    /**
     * As {@link #instrument(byte[], WasmModule)}; without {@code interruptibleLoops} the result is
     * for compiled code only, which checks interrupts on back-edges itself. The checks are not
     * charged, so fuel counts are the same either way.
     */
    static Result instrument(byte[] wasm, WasmModule parsed, boolean interruptibleLoops) {
        return instrument(wasm, parsed, interruptibleLoops, CHUNK);
    }

    /**
     * As {@link #instrument(byte[], WasmModule, boolean)}, handing fuel to function locals in
     * chunks of at most {@code chunk} units. The chunk size changes how often the slow path runs,
     * never how much fuel anything costs: tests use tiny chunks to drive the refill path hard.
     */
    static Result instrument(byte[] wasm, WasmModule parsed, boolean interruptibleLoops, int chunk) {
        return instrument(wasm, parsed, interruptibleLoops, chunk, true);
    }

    /**
     * As {@link #instrument(byte[], WasmModule, boolean, int)}; without {@code hostCallLoops},
     * loops around host calls keep their fuel in the local like any other (the format before
     * them, for tests that compare the two: the same counts to the unit).
     */
    static Result instrument(byte[] wasm, WasmModule parsed, boolean interruptibleLoops, int chunk, boolean hostCallLoops) {
        if (chunk < 1 || chunk > CHUNK) {
            throw new IllegalArgumentException("chunk must be in 1.." + CHUNK + ": " + chunk);
        }
        for (int i = 0; i < parsed.exportSection().exportCount(); i++) {
            if (FUEL_EXPORT.equals(parsed.exportSection().getExport(i).name())) {
                throw new IllegalArgumentException("the module already exports '" + FUEL_EXPORT
                        + "', a name Corral reserves for fuel metering");
            }
        }
        int importedGlobals = parsed.importSection().count(ExternalType.GLOBAL);
        int definedGlobals = parsed.globalSection().globalCount();
        int fuelGlobal = importedGlobals + definedGlobals;
        int reserveGlobal = fuelGlobal + 1;
        int importedFunctions = parsed.importSection().count(ExternalType.FUNCTION);
        int definedFunctions = parsed.functionSection().functionCount();

        var edits = new Edits();
        if (interruptibleLoops) {
            CodeRewriter.addLoopInterruptChecks(parsed, edits.others);
        }
        var code = parsed.codeSection();

        // helpers are appended in enum order, only those used: function index = imports + defined + k
        Map<Helper, Integer> helperIndex = new EnumMap<>(Helper.class);
        for (int f = 0; f < code.functionBodyCount(); f++) {
            for (var in : code.getFunctionBody(f).instructions()) {
                Helper h = helperOf(in.opcode());
                if (h != null) {
                    helperIndex.put(h, 0);
                }
            }
        }
        List<byte[]> helperBodies = new ArrayList<>();
        int nextFunction = importedFunctions + definedFunctions;
        int refill = nextFunction++;
        helperBodies.add(refillBody(fuelGlobal, reserveGlobal, chunk));
        for (var e : helperIndex.entrySet()) {
            e.setValue(nextFunction++);
            helperBodies.add(helperBody(e.getKey(), fuelGlobal));
        }
        var fuel = new Fuel(fuelGlobal, reserveGlobal, refill, chunk, fuelGlobal + 2);

        // fuel-passing clones: function f's body moves to f' = (params, i32 fuel) -> (results and
        // fuel, packed where they fit in an i64), appended after the helpers; f keeps its index and
        // type as a wrapper that moves fuel between the global and the clone, for exports, tables,
        // ref.func and the start function. Every function that can keep fuel in a local gets one,
        // called directly or not: it leaves the body free of global accesses, which Chicory compiles
        // to calls the JIT does not inline in a function entered rarely but looping long, and which
        // make it spill the loop's variables to the stack.
        int n = code.functionBodyCount();
        int[] clone = new int[n];
        Ret[] rets = new Ret[n];
        List<byte[]> newTypes = new ArrayList<>();
        List<Integer> cloneTypes = new ArrayList<>();
        byte[][] blockTypes = new byte[n][];
        int firstNewType = parsed.typeSection().subTypeCount() + 1; // after the helpers' (i32) -> (i32)
        for (int f = 0; f < n; f++) {
            clone[f] = -1;
            var type = parsed.functionSection().getFunctionType(f, parsed.typeSection());
            byte[] params = encode(type.params());
            byte[] results = encode(type.returns());
            if (needsGlobalCharging(code.getFunctionBody(f)) || params == null || results == null) {
                continue;
            }
            clone[f] = nextFunction++;
            rets[f] = Ret.of(results);
            cloneTypes.add(firstNewType + typeIndex(newTypes, funcType(concat(params, new byte[] {0x7F, 0x7F}), rets[f].cloneResults(results))));
            if (results.length == 0) {
                blockTypes[f] = new byte[] {0x40};
            } else if (results.length == 1) {
                blockTypes[f] = results;
            } else {
                blockTypes[f] = sleb33(firstNewType + typeIndex(newTypes, funcType(new byte[0], results)));
            }
        }

        int[] fuelLocals = new int[n];
        int[] tmpLocals = new int[n];
        int[] depthLocals = new int[n];
        int[] frameCosts = new int[n];
        // A clone's entry block is paid by whoever calls it: the caller adds its (static) cost to the
        // block holding the call, the wrapper charges it after taking fuel. The clone then starts
        // with no charge, whose refill call, compiled for real while the JIT's profile of the entry
        // is still thin, would make it keep the loop's variables on the stack. Not for a clone whose
        // entry block itself calls a clone (the costs could be circular).
        Entries entries = new Entries(n);
        for (int f = 0; f < n; f++) {
            FunctionBody body = code.getFunctionBody(f);
            int params = parsed.functionSection().getFunctionType(f, parsed.typeSection()).params().size();
            int declared = body.localTypes().size();
            fuelLocals[f] = -1;
            tmpLocals[f] = -1;
            frameCosts[f] = CallDepth.frameCost(CallDepth.slots(parsed.functionSection().getFunctionType(f, parsed.typeSection()).params())
                    + CallDepth.slots(body.localTypes()));
            if (clone[f] >= 0) {
                fuelLocals[f] = params; // the fuel and depth parameters, before the declared locals
                depthLocals[f] = params + 1;
                tmpLocals[f] = callsPacked(body, clone, rets, importedFunctions) ? params + 2 + declared : -1;
            } else if (!needsGlobalCharging(body)) {
                fuelLocals[f] = params + declared;
                tmpLocals[f] = callsPacked(body, clone, rets, importedFunctions) ? params + declared + 1 : -1;
                depthLocals[f] = params + declared + (tmpLocals[f] >= 0 ? 2 : 1);
            } else {
                depthLocals[f] = params + declared;
            }
        }
        java.util.function.BiFunction<Integer, Edits, FunctionMeter> meter = (f, target) -> new FunctionMeter(
                code.getFunctionBody(f), f, fuel, fuelLocals[f], tmpLocals[f], depthLocals[f], frameCosts[f],
                clone[f] >= 0 ? rets[f] : null, clone,
                rets, importedFunctions, target, helperIndex, entries);
        // a dry run finds each entry block's cost (it ends at the first boundary, before any loop
        // is unrolled), then the real run uses them
        for (int f = 0; f < n; f++) {
            var dry = meter.apply(f, new Edits());
            dry.run();
            entries.cost[f] = dry.entryCost;
            entries.hoisted[f] = clone[f] >= 0 && !dry.entryCallsClone;
        }
        for (int f = 0; f < n; f++) {
            var real = meter.apply(f, edits);
            real.hostCallLoops(hostCallLoops);
            if (!interruptibleLoops) {
                real.unrollSimpleLoops(wasm);
            }
            real.run();
        }
        boolean[] chargesGlobal = new boolean[n];
        for (int f = 0; f < n; f++) {
            chargesGlobal[f] = fuelLocals[f] < 0;
        }
        var plan = new CodePlan(fuel, code, fuelLocals, tmpLocals, clone, rets, blockTypes, helperBodies, edits, entries,
                WrapperUse.reachable(parsed, chargesGlobal));
        int helperType = parsed.typeSection().subTypeCount();
        List<Integer> functionTypes = new ArrayList<>();
        for (int k = 0; k < helperBodies.size(); k++) {
            functionTypes.add(helperType);
        }
        functionTypes.addAll(cloneTypes);
        List<byte[]> types = new ArrayList<>();
        types.add(new byte[] {0x60, 0x01, 0x7F, 0x01, 0x7F}); // (i32) -> (i32)
        types.addAll(newTypes);
        byte[] out = rebuild(wasm, plan, types, functionTypes, fuelGlobal);
        Map<Integer, Integer> clones = new java.util.HashMap<>();
        for (int f = 0; f < n; f++) {
            if (clone[f] >= 0) {
                clones.put(clone[f], importedFunctions + f);
            }
        }
        return new Result(out, fuelGlobal, definedGlobals + 3, Map.copyOf(clones));
    }

    /** Per-address insertions of one rewrite, kept in two layers so charges always come first. */
    static final class Edits {
        final NavigableMap<Integer, byte[]> charges = new TreeMap<>();
        final NavigableMap<Integer, byte[]> others = new TreeMap<>();
        /** Instructions rewritten in place: their new bytes, and how many original bytes they replace. */
        final NavigableMap<Integer, byte[]> replacements = new TreeMap<>();
        final Map<Integer, Integer> skips = new java.util.HashMap<>();

        NavigableMap<Integer, byte[]> merged() {
            NavigableMap<Integer, byte[]> all = new TreeMap<>(charges);
            for (var e : others.entrySet()) {
                CodeRewriter.insert(all, e.getKey(), e.getValue());
            }
            for (var e : replacements.entrySet()) {
                CodeRewriter.insert(all, e.getKey(), e.getValue());
            }
            return all;
        }

        void replace(AnnotatedInstruction in, AnnotatedInstruction next, byte[] bytes) {
            replacements.put(in.address(), bytes);
            skips.put(in.address(), next.address() - in.address());
        }
    }

}
