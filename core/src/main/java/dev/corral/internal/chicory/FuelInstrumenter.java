package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Load-time fuel metering: a binary rewrite that makes a module pay for what it executes.
 *
 * <p><b>What is added.</b> Two mutable i64 globals appended to the global section (so nothing is
 * renumbered): the fuel, exported as {@value #FUEL_EXPORT} so the host can set and read it, and its
 * reserve. After the module's own functions come a refill helper and, only when the module uses
 * them, up to three helpers that charge for a run-time length; all are {@code (i32) -> (i32)}.
 * Then the clones.
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
    /** Reserved export name of the fuel global. */
    static final String FUEL_EXPORT = "__corral_fuel";

    private static final int TYPE_SECTION = 1;
    private static final int FUNCTION_SECTION = 3;
    private static final int GLOBAL_SECTION = 6;
    private static final int EXPORT_SECTION = 7;

    /** How a run-time length on top of the stack is converted to fuel. */
    enum Helper {
        /** pages, 1024 units each. */
        PAGES(new byte[] {0x42, 10, (byte) 0x86}), // i64.const 10, i64.shl
        /** bytes, 1 unit per 64 rounded up. */
        BYTES(new byte[] {0x42, 63, 0x7C, 0x42, 6, (byte) 0x88}), // +63, i64.shr_u 6
        /** elements, 1 unit each. */
        ELEMENTS(new byte[0]);

        final byte[] scale;

        Helper(byte[] scale) {
            this.scale = scale;
        }
    }

    /**
     * The rewritten module and where its fuel global lives.
     *
     * @param clones each fuel-passing clone's function index, mapped to the function it clones
     */
    record Result(byte[] bytes, int fuelGlobalIndex, int definedGlobalCount, Map<Integer, Integer> clones) {}

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

    /**
     * The two globals and the refill helper. The fuel global is the truth whenever the host or a
     * function that charges globals directly can look (at entry, exit, around calls that are not
     * clone to clone); in between the fuel is split: the running function's i32 local holds up to
     * a chunk, the reserve global the rest.
     */
    record Fuel(int global, int reserve, int refill, int chunk, int depth) {
        /** {@code fuel = reserve + local}: the local and the reserve stay valid. */
        byte[] flush(int local) {
            var out = new ByteArrayOutputStream(12);
            out.write(0x23);
            Leb128.writeU32(out, reserve);
            out.write(0x20);
            Leb128.writeU32(out, local);
            out.write(0xAC); // i64.extend_i32_s
            out.write(0x7C); // i64.add
            out.write(0x24);
            Leb128.writeU32(out, global);
            return out.toByteArray();
        }

        /**
         * Pushes a chunk of the fuel global, leaving the rest in the reserve: {@code c = min(fuel,
         * chunk); reserve = fuel - c}. Inline and without calls (the fuel global is never negative
         * here: the host sets it, and a host call that overdraws it fails in the host): a wrapper
         * is often inlined into its caller together with the clone, and a call would make the JIT
         * spill the clone's loop state. The test is a shift, not {@code i64.lt_s} (see
         * {@link #chargeLocal}).
         */
        byte[] take() {
            var out = new ByteArrayOutputStream(40);
            out.write(0x23);
            Leb128.writeU32(out, global);
            out.write(0x24);
            Leb128.writeU32(out, reserve);
            out.write(0x23);
            Leb128.writeU32(out, reserve);
            out.write(0x42);
            Leb128.writeS64(out, chunk);
            out.writeBytes(new byte[] {0x7D, 0x42, 63, (byte) 0x88, (byte) 0xA7}); // i64.sub, shr_u 63, wrap
            out.writeBytes(new byte[] {0x04, 0x7F, 0x23}); // if (result i32): fuel < chunk
            Leb128.writeU32(out, reserve);
            out.writeBytes(new byte[] {(byte) 0xA7, 0x42, 0x00, 0x24}); // c = fuel, reserve = 0
            Leb128.writeU32(out, reserve);
            out.writeBytes(new byte[] {0x05, 0x23}); // else: reserve -= chunk, c = chunk
            Leb128.writeU32(out, reserve);
            out.write(0x42);
            Leb128.writeS64(out, chunk);
            out.write(0x7D);
            out.write(0x24);
            Leb128.writeU32(out, reserve);
            out.write(0x41);
            Leb128.writeS64(out, chunk);
            out.write(0x0B);
            return out.toByteArray();
        }

        byte[] reload(int local) {
            return concat(take(), concat(new byte[] {0x21}, u32(local)));
        }
    }

    /** How a fuel-passing clone hands back its results and its fuel. */
    enum Ret {
        /** No results: {@code -> (i32 fuel)}. */
        NONE,
        /** One i32: {@code -> (i64)}, fuel in the high half. */
        PACKED_I32,
        /** One f32, as its bits: {@code -> (i64)}, fuel in the high half. */
        PACKED_F32,
        /** Anything else: {@code -> (results, i32 fuel)} (Chicory boxes these). */
        MULTI;

        static Ret of(byte[] results) {
            if (results.length == 0) {
                return NONE;
            } else if (results.length == 1 && results[0] == 0x7F) {
                return PACKED_I32;
            } else if (results.length == 1 && results[0] == 0x7D) {
                return PACKED_F32;
            }
            return MULTI;
        }

        boolean packed() {
            return this == PACKED_I32 || this == PACKED_F32;
        }

        byte[] cloneResults(byte[] results) {
            switch (this) {
                case NONE: return new byte[] {0x7F};
                case PACKED_I32:
                case PACKED_F32: return new byte[] {0x7E};
                default: return concat(results, new byte[] {0x7F});
            }
        }

        /** After the clone body's results: leave what this clone returns. */
        byte[] pack(int fuelLocal) {
            byte[] get = concat(new byte[] {0x20}, u32(fuelLocal));
            switch (this) {
                case PACKED_F32:
                    return concat(new byte[] {(byte) 0xBC}, PACKED_I32.pack(fuelLocal)); // i32.reinterpret_f32
                case PACKED_I32:
                    // i64.extend_i32_u(result) | i64.extend_i32_u(fuel) << 32
                    return concat(concat(new byte[] {(byte) 0xAD}, get), new byte[] {(byte) 0xAD, 0x42, 32, (byte) 0x86, (byte) 0x84});
                default:
                    return get;
            }
        }

        /** After a call to the clone: the callee's results on the stack, its fuel in the local. */
        byte[] unpack(int fuelLocal, int tmpLocal) {
            byte[] set = concat(new byte[] {0x21}, u32(fuelLocal));
            switch (this) {
                case PACKED_I32:
                case PACKED_F32: {
                    var out = new ByteArrayOutputStream(16);
                    out.write(0x22);
                    Leb128.writeU32(out, tmpLocal);
                    out.writeBytes(new byte[] {0x42, 32, (byte) 0x88, (byte) 0xA7}); // i64.shr_u 32, i32.wrap_i64
                    out.writeBytes(set);
                    out.write(0x20);
                    Leb128.writeU32(out, tmpLocal);
                    out.write(0xA7);
                    if (this == PACKED_F32) {
                        out.write(0xBE); // f32.reinterpret_i32
                    }
                    return out.toByteArray();
                }
                default:
                    return set;
            }
        }
    }

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
            if (!interruptibleLoops) {
                real.unrollSimpleLoops(wasm);
            }
            real.run();
        }
        var plan = new CodePlan(fuel, code, fuelLocals, tmpLocals, clone, rets, blockTypes, helperBodies, edits, entries);
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

    /**
     * Meters one function body. Where it can, the function keeps its fuel in a local of its own
     * (a JVM local once compiled, so charging a loop iteration costs a subtract and a test): the
     * fuel parameter of a clone, or an added local. Around calls that are not clone to clone the
     * global is the truth: the added local is loaded from it at entry, written back
     * before a call, return, tail call, throw, trap or branch out of the function when it holds
     * charges the global lacks, and loaded again after a call, lazily, at the next block boundary
     * (so consecutive calls cost one write, not a write and a read each). A trap that is not a
     * fuel trap therefore leaves the global short of what the trapping frame charged since its
     * last call.
     *
     * <p>Functions containing {@code try_table} charge the global directly, because a caught
     * exception lands on a label after a callee has spent fuel the local would not see; so do
     * functions with tail calls (see {@link #needsGlobalCharging}).
     */
    private static final class FunctionMeter {
        private final List<AnnotatedInstruction> ins;
        private final int f;
        private final Fuel fuel;
        private final int fuelLocal; // -1: charge the global directly
        private final int tmpLocal; // i64 scratch for unpacking a callee's packed result, or -1
        private final int depthLocal; // the frames left below this one (see CallDepth)
        private final int frameCost; // what this function's frame counts against the depth
        private final Edits edits;
        private final Map<Helper, Integer> helperIndex;
        private final byte[] flush;
        private final byte[] reload;
        /** The body becomes a fuel-passing clone: fuel comes in as a parameter and goes out as a result. */
        private final boolean passing;
        private final int[] clone;
        private final Ret[] rets;
        private final int importedFunctions;
        private final Entries entries;
        /** The module's bytes, when simple loops are unrolled (compiled variant only), else null. */
        private byte[] wasm;
        /** Outputs: the cost of the entry block (its own instructions), and whether it calls a clone. */
        long entryCost;
        boolean entryCallsClone;

        FunctionMeter(FunctionBody body, int f, Fuel fuel, int fuelLocal, int tmpLocal, int depthLocal, int frameCost, Ret ownRet,
                int[] clone, Ret[] rets, int importedFunctions, Edits edits, Map<Helper, Integer> helperIndex, Entries entries) {
            this.depthLocal = depthLocal;
            this.frameCost = frameCost;
            this.entries = entries;
            this.passing = ownRet != null;
            this.clone = clone;
            this.rets = rets;
            this.importedFunctions = importedFunctions;
            this.ins = body.instructions();
            this.f = f;
            this.fuel = fuel;
            this.fuelLocal = fuelLocal;
            this.tmpLocal = tmpLocal;
            this.edits = edits;
            this.helperIndex = helperIndex;
            this.flush = fuelLocal >= 0 ? fuel.flush(fuelLocal) : new byte[0];
            this.reload = fuelLocal >= 0 ? fuel.reload(fuelLocal) : new byte[0];
        }

        void run() {
            int n = ins.size();
            boolean local = fuelLocal >= 0;
            if (local && !passing) {
                CodeRewriter.insert(edits.charges, ins.get(0).address(), reload);
            }
            // after the entry charge (charges come first at an address): one frame more, or the limit
            CodeRewriter.insert(edits.others, ins.get(0).address(),
                    CallDepth.enter(fuel.depth(), depthLocal, frameCost, passing, local ? flush : new byte[0]));
            int segmentStart = 0;
            int pendingLoop = -1; // an unrolled loop waiting for the cost of the segment after it
            int pendingEnd = -1;
            long cost = 1; // the function's closing `end`
            boolean live = true; // the function entry is always entered
            boolean stale = false; // a callee has spent fuel since the local was loaded
            // open blocks, innermost first: {opcode ordinal, 1 if a branch targets its end}; a branch
            // to label blocks.size() leaves the function
            java.util.ArrayDeque<int[]> blocks = new java.util.ArrayDeque<>();
            for (int i = 0; i < n; i++) {
                AnnotatedInstruction in = ins.get(i);
                OpCode op = in.opcode();
                if (in.address() < 0) {
                    throw new IllegalStateException("instruction without address in function " + f);
                }
                // the closing `end` is paid with the entry block (once per call), so a block made
                // only of it (after an if/else, say) needs no charge of its own
                cost += i == n - 1 ? 0 : 1 + staticExtra(in);
                Helper h = helperOf(op);
                if (CallDepth.leavesTheClones(op) && !(local && op == OpCode.CALL && calleeClone(in) >= 0)) {
                    // the callee (a wrapper, an import, anything through a table) reads the depth from the global
                    CodeRewriter.insert(edits.others, in.address(), CallDepth.store(fuel.depth(), depthLocal));
                }
                if (h != null) {
                    byte[] call = concat(new byte[] {0x10}, u32(helperIndex.get(h)));
                    CodeRewriter.insert(edits.others, in.address(), local && !stale ? concat(flush, call) : call);
                    stale = local;
                } else if (local && op == OpCode.CALL && calleeClone(in) >= 0) {
                    // fuel travels as an argument and a result: no global access. (A function that
                    // charges the global directly calls the wrapper, which syncs with the global.)
                    byte[] call = concat(new byte[] {0x10}, u32(calleeClone(in)));
                    int callee = (int) (in.operand(0) - importedFunctions);
                    if (segmentStart == 0) {
                        entryCallsClone = true;
                    }
                    if (entries.hoisted[callee]) {
                        cost += entries.cost[callee]; // the callee's entry block, paid with this one
                    }
                    byte[] args = concat(concat(new byte[] {0x20}, u32(fuelLocal)), concat(new byte[] {0x20}, u32(depthLocal)));
                    byte[] pass = concat(concat(args, call), rets[(int) (in.operand(0) - importedFunctions)].unpack(fuelLocal, tmpLocal));
                    edits.replace(in, ins.get(i + 1), stale ? concat(reload, pass) : pass);
                    stale = false;
                } else if (local && isCall(op)) {
                    if (!stale) {
                        CodeRewriter.insert(edits.others, in.address(), flush);
                    }
                    stale = true;
                } else if (passing && isLocalAccess(op) && in.operand(0) >= fuelLocal) {
                    // the fuel and depth parameters sit between the parameters and the declared locals
                    edits.replace(in, ins.get(i + 1), concat(new byte[] {(byte) op.opcode()}, u32(in.operand(0) + 2)));
                }
                Boundary b = boundaryOf(in);
                int depth = blocks.size();
                markTargets(in, blocks);
                switch (op) {
                    case BLOCK:
                    case LOOP:
                    case IF:
                    case TRY_TABLE:
                        blocks.push(new int[] {op.ordinal(), 0});
                        break;
                    case END:
                        if (i < n - 1) {
                            int[] closed = blocks.pop();
                            // after a loop, or a block no branch targets, only fall-through arrives:
                            // the segment goes on (and pays once)
                            if (closed[0] != OpCode.IF.ordinal() && (closed[0] == OpCode.LOOP.ordinal() || closed[1] == 0)) {
                                b = Boundary.NONE;
                            }
                        }
                        break;
                    default:
                        break;
                }
                if (passing && b != Boundary.NONE && !escapes(op)) {
                    // every exit returns the fuel parameter, and every label needs it current
                    if (stale) {
                        CodeRewriter.insert(edits.others, in.address(), reload);
                    }
                    if (op == OpCode.RETURN) {
                        // to the block wrapping the body, after which the results and fuel are packed
                        edits.replace(in, ins.get(i + 1), concat(new byte[] {0x0C}, u32(depth)));
                    }
                    stale = false;
                } else if (local && b != Boundary.NONE) {
                    Exit exit = exitOf(in, depth, i == n - 1);
                    if (stale && exit != Exit.ALWAYS) {
                        CodeRewriter.insert(edits.others, in.address(), reload); // now local == global
                    } else if (!stale && exit != Exit.NEVER) {
                        CodeRewriter.insert(edits.others, in.address(), flush);
                    }
                    stale = false;
                }
                if (b == Boundary.NONE) {
                    continue;
                }
                if (segmentStart == 0) {
                    entryCost = cost;
                }
                if (pendingLoop >= 0 && segmentStart == pendingEnd + 1) {
                    // the segment after an unrolled loop is paid at the loop's exits
                    AnnotatedInstruction loopIns = ins.get(pendingLoop);
                    edits.replace(loopIns, ins.get(pendingEnd + 1), unrolled(pendingLoop, pendingEnd, cost));
                    pendingLoop = -1;
                } else if (live && cost > 0 && !(segmentStart == 0 && entries.hoisted[f])) {
                    CodeRewriter.insert(edits.charges, ins.get(segmentStart).address(),
                            local ? chargeLocal(fuelLocal, fuel.refill(), cost) : charge(fuel.global(), cost));
                }
                switch (b) {
                    case JOIN:
                        live = true;
                        break;
                    case FALLTHROUGH:
                        break; // the next segment is entered only if this one was
                    case NEVER_FALLS_THROUGH:
                        live = false;
                        break;
                    default:
                        throw new AssertionError(b);
                }
                segmentStart = i + 1;
                cost = 0;
                int end;
                if (op == OpCode.LOOP && wasm != null && local && (end = simpleLoopEnd(i)) > 0) {
                    // the whole loop becomes one replacement, written when the segment after it
                    // (its `end` and on, as the fall-through after its br_if was) is known
                    blocks.pop();
                    pendingLoop = i;
                    pendingEnd = end;
                    segmentStart = end + 1;
                    cost = 1;
                    i = end;
                }
            }
            if (segmentStart < n) {
                // the parser guarantees a body ends with `end`, which closes every segment
                throw new IllegalStateException("function " + f + " does not end with 'end'");
            }
        }

        void unrollSimpleLoops(byte[] wasm) {
            this.wasm = wasm;
        }

        /**
         * The index of the {@code end} of the loop at {@code i} if it is simple: no block type, a
         * body of at most {@link #UNROLL_MAX_BODY} straight-line instructions (no control, calls or
         * length-charged operations), closed by {@code br_if 0}. Else -1.
         */
        private int simpleLoopEnd(int i) {
            if ((wasm[ins.get(i).address() + 1] & 0xFF) != 0x40) {
                return -1;
            }
            for (int k = i + 1; k < ins.size() && k <= i + 1 + UNROLL_MAX_BODY; k++) {
                AnnotatedInstruction in = ins.get(k);
                OpCode op = in.opcode();
                if (op == OpCode.BR_IF) {
                    return in.operand(0) == 0 && k > i + 1 && ins.get(k + 1).opcode() == OpCode.END ? k + 1 : -1;
                }
                if (boundaryOf(in) != Boundary.NONE || op == OpCode.BLOCK || op == OpCode.TRY_TABLE || isCall(op)
                        || helperOf(op) != null || staticExtra(in) != 0) {
                    return -1;
                }
            }
            return -1;
        }

        /**
         * A simple loop unrolled {@link #UNROLL} times. When the local holds fuel for all the
         * copies, they run with one charge and each early exit refunds the iterations it skipped;
         * otherwise one iteration runs with the exact charge and refill of the original. Every
         * iteration therefore costs what it did, and fuel runs out at the same iteration, while
         * the compiled loop tests fuel (and Chicory its interrupt flag, on the back-edge) once per
         * {@link #UNROLL} iterations.
         */
        private byte[] unrolled(int loop, int end, long after) {
            int brIf = end - 1;
            long c = brIf - loop; // the body and its br_if, as the original header charged
            var body = new ByteArrayOutputStream(64);
            for (int k = loop + 1; k < brIf; k++) {
                AnnotatedInstruction in = ins.get(k);
                if (passing && isLocalAccess(in.opcode()) && in.operand(0) >= fuelLocal) {
                    body.write(in.opcode().opcode());
                    Leb128.writeU32(body, in.operand(0) + 2);
                } else {
                    body.write(wasm, in.address(), ins.get(k + 1).address() - in.address());
                }
            }
            byte[] b = body.toByteArray();
            byte[] get = concat(new byte[] {0x20}, u32(fuelLocal));
            byte[] set = concat(new byte[] {0x21}, u32(fuelLocal));
            long round = UNROLL * c + after; // all copies, and the segment after the loop
            var out = new ByteArrayOutputStream(b.length * (UNROLL + 1) + 128);
            out.writeBytes(new byte[] {0x02, 0x40, 0x03, 0x40}); // block $exit, loop $l
            out.writeBytes(subtractIfNegative(fuelLocal, round)); // if (too little for a round)
            // one iteration, charged (and refilled) exactly as the original loop
            out.writeBytes(refund(get, set, round));
            out.writeBytes(chargeLocal(fuelLocal, fuel.refill(), c));
            out.writeBytes(b);
            out.writeBytes(new byte[] {0x0D, 0x01}); // br_if $l
            out.writeBytes(chargeLocal(fuelLocal, fuel.refill(), after));
            out.write(0x05); // else: the copies, paid for; an exit after copy j refunds the rest
            for (int j = 1; j <= UNROLL; j++) {
                out.writeBytes(new byte[] {0x02, 0x40}); // block $next
                out.writeBytes(b);
                out.writeBytes(new byte[] {0x0D, 0x00}); // br_if $next: the loop goes on
                if (j < UNROLL) {
                    out.writeBytes(refund(get, set, (UNROLL - j) * c));
                }
                out.writeBytes(new byte[] {0x0C, 0x03, 0x0B}); // br $exit, end
            }
            out.writeBytes(refund(get, set, after)); // going round again: the segment after is not due yet
            out.writeBytes(new byte[] {0x0C, 0x01, 0x0B, 0x0B, 0x0B}); // br $l, end if, end loop, end block
            return out.toByteArray();
        }

        private static byte[] refund(byte[] get, byte[] set, long units) {
            var out = new ByteArrayOutputStream(16);
            out.writeBytes(get);
            out.write(0x41);
            Leb128.writeS64(out, units);
            out.write(0x6A); // i32.add
            out.writeBytes(set);
            return out.toByteArray();
        }

        /** The fuel-passing clone a direct call can go to instead of the callee's wrapper, or -1. */
        private int calleeClone(AnnotatedInstruction in) {
            long callee = in.operand(0) - importedFunctions;
            return callee >= 0 && callee < clone.length ? clone[(int) callee] : -1;
        }
    }

    /** Marks the blocks whose `end` a branch (or a try_table catch clause) of {@code in} targets. */
    private static void markTargets(AnnotatedInstruction in, java.util.ArrayDeque<int[]> blocks) {
        switch (in.opcode()) {
            case BR:
            case BR_IF:
            case BR_ON_NULL:
            case BR_ON_NON_NULL:
                mark(blocks, in.operand(0));
                break;
            case BR_ON_CAST:
            case BR_ON_CAST_FAIL:
                mark(blocks, in.operand(1));
                break;
            case BR_TABLE:
                for (int k = 0; k < in.operandCount(); k++) {
                    mark(blocks, in.operand(k));
                }
                break;
            case TRY_TABLE:
                // catch labels count from outside the try_table, which is not pushed yet
                for (var c : in.catches()) {
                    mark(blocks, c.label());
                }
                break;
            default:
                break;
        }
    }

    private static void mark(java.util.ArrayDeque<int[]> blocks, long label) {
        if (label < blocks.size()) { // else the function's own label: a return
            int k = 0;
            for (int[] b : blocks) { // innermost first
                if (k++ == label) {
                    b[1] = 1;
                    return;
                }
            }
        }
    }

    /** Whether control leaves the function at a block boundary instruction. */
    private enum Exit { NEVER, MAYBE, ALWAYS }

    private static boolean escapes(OpCode op) {
        switch (op) {
            case THROW:
            case THROW_REF:
            case UNREACHABLE:
                return true;
            default:
                return false;
        }
    }

    private static boolean isLocalAccess(OpCode op) {
        return op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE;
    }

    private static boolean isCall(OpCode op) {
        switch (op) {
            case CALL:
            case CALL_INDIRECT:
            case CALL_REF:
                return true;
            default:
                return false;
        }
    }

    private static Exit exitOf(AnnotatedInstruction in, int depth, boolean last) {
        switch (in.opcode()) {
            case RETURN:
            case RETURN_CALL:
            case RETURN_CALL_INDIRECT:
            case RETURN_CALL_REF:
            case THROW:
            case THROW_REF:
            case UNREACHABLE:
                return Exit.ALWAYS;
            case END:
                return last ? Exit.ALWAYS : Exit.NEVER;
            case BR:
                return in.operand(0) == depth ? Exit.ALWAYS : Exit.NEVER;
            case BR_IF:
            case BR_ON_NULL:
            case BR_ON_NON_NULL:
                return in.operand(0) == depth ? Exit.MAYBE : Exit.NEVER;
            case BR_ON_CAST:
            case BR_ON_CAST_FAIL:
                return in.operand(1) == depth ? Exit.MAYBE : Exit.NEVER;
            case BR_TABLE:
                for (int k = 0; k < in.operandCount(); k++) {
                    if (in.operand(k) == depth) {
                        return Exit.MAYBE;
                    }
                }
                return Exit.NEVER;
            default:
                return Exit.NEVER;
        }
    }

    /**
     * Whether a body must charge the global directly: try_table (see {@link #meter}), or a tail
     * call, because Chicory 1.7.5's interpreter re-enters a function that tail-calls itself by
     * refilling all its locals from the arguments, which fails as soon as it has a non-parameter
     * local (ours).
     */
    static boolean needsGlobalCharging(FunctionBody body) {
        for (var in : body.instructions()) {
            switch (in.opcode()) {
                case TRY_TABLE:
                case RETURN_CALL:
                case RETURN_CALL_INDIRECT:
                case RETURN_CALL_REF:
                    return true;
                default:
                    break;
            }
        }
        return false;
    }

    private enum Boundary {
        /** Not a control transfer: the segment goes on. */
        NONE,
        /** What follows may be reached from elsewhere (a label, the other arm): charge it. */
        JOIN,
        /** What follows runs only if this instruction fell through. */
        FALLTHROUGH,
        /** What follows is dead code until the next {@code end} or {@code else}. */
        NEVER_FALLS_THROUGH
    }

    private static Boundary boundaryOf(AnnotatedInstruction in) {
        switch (in.opcode()) {
            case LOOP:
            case IF:
            case ELSE:
            case END:
                return Boundary.JOIN;
            case BR_IF:
            case BR_ON_NULL:
            case BR_ON_NON_NULL:
            case BR_ON_CAST:
            case BR_ON_CAST_FAIL:
                return Boundary.FALLTHROUGH;
            case BR:
            case BR_TABLE:
            case RETURN:
            case RETURN_CALL:
            case RETURN_CALL_INDIRECT:
            case RETURN_CALL_REF:
            case THROW:
            case THROW_REF:
            case UNREACHABLE:
                return Boundary.NEVER_FALLS_THROUGH;
            case BLOCK:
            case TRY_TABLE:
                // entered only by falling in; their labels are at their `end`, already a JOIN.
                // try_table's catch clauses branch to labels of enclosing blocks: also JOINs.
                return Boundary.NONE;
            default:
                if (in.labelTrue() != AnnotatedInstruction.UNDEFINED_LABEL
                        || (in.labelTable() != null && !in.labelTable().isEmpty())
                        || (in.catches() != null && !in.catches().isEmpty())) {
                    throw new IllegalArgumentException("cannot meter control instruction " + in.opcode()
                            + ": Corral does not know how it transfers control");
                }
                return Boundary.NONE;
        }
    }

    private static long staticExtra(AnnotatedInstruction in) {
        if (in.opcode() == OpCode.ARRAY_NEW_FIXED) {
            return in.operand(1);
        }
        return 0;
    }

    private static Helper helperOf(OpCode op) {
        switch (op) {
            case MEMORY_GROW:
                return Helper.PAGES;
            case MEMORY_FILL:
            case MEMORY_COPY:
            case MEMORY_INIT:
                return Helper.BYTES;
            case TABLE_GROW:
            case TABLE_FILL:
            case TABLE_COPY:
            case TABLE_INIT:
            case ARRAY_NEW:
            case ARRAY_NEW_DEFAULT:
            case ARRAY_NEW_DATA:
            case ARRAY_NEW_ELEM:
            case ARRAY_FILL:
            case ARRAY_COPY:
            case ARRAY_INIT_DATA:
            case ARRAY_INIT_ELEM:
                return Helper.ELEMENTS; // all take their length (i32) on top of the stack
            default:
                return null;
        }
    }

    /** {@code fuel -= cost; if (fuel < 0) unreachable}. Stack-neutral, valid anywhere in a body. */
    static byte[] charge(int global, long cost) {
        var out = new ByteArrayOutputStream(24);
        out.write(0x23);
        Leb128.writeU32(out, global);
        out.write(0x42);
        Leb128.writeS64(out, cost);
        out.write(0x7D); // i64.sub
        out.write(0x24);
        Leb128.writeU32(out, global);
        writeCheck(out, global);
        return out.toByteArray();
    }

    /**
     * {@code local -= amount; if (local < 0) {}, left open for the caller's then-arm and {@code end}.
     * The sign is tested by {@code i32.shr_u 31}, which Chicory compiles inline to {@code iushr},
     * rather than {@code i32.lt_s}, a call to a shared {@code OpcodeImpl} method whose branch
     * profile every comparison in the JVM feeds (with it, metered loops settled at 2.7x in whole
     * runs).
     */
    static byte[] subtractIfNegative(int local, long amount) {
        var out = new ByteArrayOutputStream(16);
        out.write(0x20);
        Leb128.writeU32(out, local);
        out.write(0x41);
        Leb128.writeS64(out, amount);
        out.write(0x6B); // i32.sub
        out.write(0x22); // local.tee
        Leb128.writeU32(out, local);
        out.writeBytes(new byte[] {0x41, 31, 0x76, 0x04, 0x40}); // i32.const 31, i32.shr_u, if
        return out.toByteArray();
    }

    /**
     * {@code local -= cost; if (local < 0) local = refill(local)}. Stack-neutral. The refill moves
     * another chunk in from the reserve, or traps when the fuel is gone.
     */
    static byte[] chargeLocal(int local, int refill, long cost) {
        if (cost >= CHUNK) {
            throw new IllegalArgumentException("a straight-line block of " + cost + " instructions is too large to meter");
        }
        var out = new ByteArrayOutputStream(24);
        out.writeBytes(subtractIfNegative(local, cost));
        out.write(0x20);
        Leb128.writeU32(out, local);
        out.write(0x10);
        Leb128.writeU32(out, refill);
        out.write(0x21);
        Leb128.writeU32(out, local);
        out.write(0x0B);
        return out.toByteArray();
    }

    /**
     * {@code refill(x: i32) -> i32}, with {@code x} a local that went below zero (or 0 to take a first
     * chunk): {@code t = reserve + x; if (t < 0) { fuel = t; unreachable }; c = min(t, chunk);
     * reserve = t - c; return c}.
     */
    private static byte[] refillBody(int global, int reserve, int chunk) {
        var code = new ByteArrayOutputStream(48);
        code.writeBytes(new byte[] {0x01, 0x02, 0x7E}); // locals t, c: i64
        code.write(0x23);
        Leb128.writeU32(code, reserve);
        code.writeBytes(new byte[] {0x20, 0x00, (byte) 0xAC, 0x7C, 0x22, 0x01}); // + extend_s(x), tee t
        code.writeBytes(new byte[] {0x42, 0x00, 0x53, 0x04, 0x40, 0x20, 0x01, 0x24}); // t < 0: fuel = t
        Leb128.writeU32(code, global);
        code.writeBytes(new byte[] {0x00, 0x0B, 0x20, 0x01}); // unreachable end, t
        code.writeBytes(new byte[] {0x20, 0x01, 0x42});
        Leb128.writeS64(code, chunk);
        code.writeBytes(new byte[] {0x20, 0x01, 0x42});
        Leb128.writeS64(code, chunk);
        code.writeBytes(new byte[] {0x53, 0x1B, 0x22, 0x02, 0x7D, 0x24}); // select(t, chunk, t < chunk), tee c, t - c
        Leb128.writeU32(code, reserve);
        code.writeBytes(new byte[] {0x20, 0x02, (byte) 0xA7, 0x0B}); // c as i32, end
        var out = new ByteArrayOutputStream(code.size() + 2);
        Leb128.writeU32(out, code.size());
        out.writeBytes(code.toByteArray());
        return out.toByteArray();
    }

    private static void writeCheck(ByteArrayOutputStream out, int global) {
        out.write(0x23);
        Leb128.writeU32(out, global);
        // the sign bit by shift, not i64.lt_s (a shared OpcodeImpl call, see chargeLocal)
        out.writeBytes(new byte[] {0x42, 63, (byte) 0x88, (byte) 0xA7, 0x04, 0x40, 0x00, 0x0B}); // shr_u 63 wrap if unreachable end
    }

    private static byte[] helperBody(Helper h, int global) {
        var code = new ByteArrayOutputStream(32);
        code.write(0x00); // no locals
        code.write(0x23);
        Leb128.writeU32(code, global);
        code.writeBytes(new byte[] {0x20, 0x00, (byte) 0xAD}); // local.get 0, i64.extend_i32_u
        code.writeBytes(h.scale);
        code.write(0x7D);
        code.write(0x24);
        Leb128.writeU32(code, global);
        writeCheck(code, global);
        code.writeBytes(new byte[] {0x20, 0x00, 0x0B}); // local.get 0, end
        var out = new ByteArrayOutputStream(code.size() + 2);
        Leb128.writeU32(out, code.size());
        out.writeBytes(code.toByteArray());
        return out.toByteArray();
    }

    /** How each body of the code section is rewritten, and what is appended after them. */
    private static final class CodePlan {
        private final Fuel fuel;
        private final Entries entries;
        private final com.dylibso.chicory.wasm.types.CodeSection code;
        private final int[] fuelLocals;
        private final int[] tmpLocals;
        private final int[] clone;
        private final Ret[] rets;
        private final byte[][] blockTypes;
        private final List<byte[]> helperBodies;
        private final NavigableMap<Integer, byte[]> insertions;
        private final Map<Integer, Integer> skips;

        CodePlan(Fuel fuel, com.dylibso.chicory.wasm.types.CodeSection code, int[] fuelLocals, int[] tmpLocals, int[] clone,
                Ret[] rets, byte[][] blockTypes, List<byte[]> helperBodies, Edits edits, Entries entries) {
            this.entries = entries;
            this.fuel = fuel;
            this.code = code;
            this.fuelLocals = fuelLocals;
            this.tmpLocals = tmpLocals;
            this.clone = clone;
            this.rets = rets;
            this.blockTypes = blockTypes;
            this.helperBodies = helperBodies;
            this.insertions = edits.merged();
            this.skips = edits.skips;
        }

        /**
         * The code section: each body rewritten in place, or replaced by its wrapper with the
         * rewritten body moved to its clone; then the helpers, then the clones.
         */
        byte[] rewrite(byte[] wasm, int start, int end) {
            var out = new ByteArrayOutputStream((end - start) * 3 / 2 + 64);
            int[] pos = {start};
            long count = Leb128.readU32(wasm, pos);
            List<byte[]> clones = new ArrayList<>();
            for (int f = 0; f < count; f++) {
                int bodySize = (int) Leb128.readU32(wasm, pos);
                int bodyStart = pos[0];
                int bodyEnd = bodyStart + bodySize;
                byte[] tmp = tmpLocals[f] >= 0 ? new byte[] {0x01, 0x7E} : new byte[0];
                if (clone[f] >= 0) {
                    int params = fuelLocals[f];
                    sized(out, wrapper(params, clone[f], rets[f], entries.hoisted[f] ? entries.cost[f] : 0));
                    // block (results) <body> end <pack results and fuel>: branches to the function
                    // label (and `return`s, rewritten as such branches) land before the packing
                    byte[] prefix = concat(new byte[] {0x02}, blockTypes[f]);
                    byte[] suffix = concat(rets[f].pack(params), new byte[] {0x0B});
                    var body = new ByteArrayOutputStream(bodySize * 3 / 2 + 16);
                    edited(wasm, bodyStart, bodyEnd, f, tmp, prefix, suffix, body);
                    clones.add(body.toByteArray());
                } else {
                    var body = new ByteArrayOutputStream(bodySize * 3 / 2 + 16);
                    byte[] locals = concat(fuelLocals[f] >= 0 ? concat(new byte[] {0x01, 0x7F}, tmp) : new byte[0],
                            new byte[] {0x01, 0x7F}); // and the depth local, last
                    edited(wasm, bodyStart, bodyEnd, f, locals, new byte[0], new byte[0], body);
                    sized(out, body.toByteArray());
                }
                pos[0] = bodyEnd;
            }
            for (byte[] b : helperBodies) {
                out.writeBytes(b);
            }
            for (byte[] b : clones) {
                sized(out, b);
            }
            var section = new ByteArrayOutputStream(out.size() + 5);
            Leb128.writeU32(section, count + helperBodies.size() + clones.size());
            section.writeBytes(out.toByteArray());
            return section.toByteArray();
        }

        /** One body with its insertions; {@code extraLocals} are local groups (count, type) appended. */
        private void edited(byte[] wasm, int bodyStart, int bodyEnd, int f, byte[] extraLocals, byte[] prefix, byte[] suffix,
                ByteArrayOutputStream body) {
            int codeStart = code.getFunctionBody(f).instructions().get(0).address();
            int[] p = {bodyStart};
            long groups = Leb128.readU32(wasm, p);
            Leb128.writeU32(body, groups + extraLocals.length / 2);
            body.write(wasm, p[0], codeStart - p[0]);
            body.writeBytes(extraLocals);
            body.writeBytes(prefix);
            int cursor = codeStart;
            for (var e : insertions.subMap(codeStart, true, bodyEnd, false).entrySet()) {
                int at = e.getKey();
                body.write(wasm, cursor, at - cursor);
                body.writeBytes(e.getValue());
                cursor = at + skips.getOrDefault(at, 0);
            }
            body.write(wasm, cursor, bodyEnd - cursor);
            body.writeBytes(suffix);
        }

        /** {@code f(params...) = clone(params..., fuel)}, the fuel global passed in and out. */
        private byte[] wrapper(int params, int cloneIndex, Ret ret, long entryCost) {
            int local = params;
            int tmp = params + 1;
            var w = new ByteArrayOutputStream(32 + params * 2);
            w.writeBytes(ret.packed() ? new byte[] {0x02, 0x01, 0x7F, 0x01, 0x7E} : new byte[] {0x01, 0x01, 0x7F});
            w.writeBytes(fuel.reload(local));
            if (entryCost > 0 && entryCost <= fuel.chunk()) {
                // the clone's entry block. Right after a take the local holds min(fuel, chunk), so
                // with chunk >= cost it falls short only when the fuel does: trap, no refill call
                // (a call here, even never taken, costs the inlined clone its registers)
                w.writeBytes(subtractIfNegative(local, entryCost));
                w.writeBytes(fuel.flush(local));
                w.writeBytes(new byte[] {0x00, 0x0B}); // unreachable, end
            } else if (entryCost > 0) {
                w.writeBytes(chargeLocal(local, fuel.refill(), entryCost));
            }
            for (int i = 0; i < params; i++) {
                w.write(0x20);
                Leb128.writeU32(w, i);
            }
            w.write(0x20);
            Leb128.writeU32(w, local);
            w.write(0x23); // the depth: frames left below the caller, from the global
            Leb128.writeU32(w, fuel.depth());
            w.write(0x10);
            Leb128.writeU32(w, cloneIndex);
            w.writeBytes(ret.unpack(local, tmp));
            w.writeBytes(fuel.flush(local));
            w.write(0x0B);
            return w.toByteArray();
        }

        private static void sized(ByteArrayOutputStream out, byte[] body) {
            Leb128.writeU32(out, body.length);
            out.writeBytes(body);
        }
    }

    /** Value types as bytes, for the clones' types; null if one is not a plain (non-GC) type. */
    private static byte[] encode(List<com.dylibso.chicory.wasm.types.ValType> types) {
        byte[] out = new byte[types.size()];
        for (int i = 0; i < out.length; i++) {
            int b = encode(types.get(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }

    private static int encode(com.dylibso.chicory.wasm.types.ValType t) {
        if (t.equals(com.dylibso.chicory.wasm.types.ValType.I32)) {
            return 0x7F;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.I64)) {
            return 0x7E;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.F32)) {
            return 0x7D;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.F64)) {
            return 0x7C;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.V128)) {
            return 0x7B;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.FuncRef)) {
            return 0x70;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.ExternRef)) {
            return 0x6F;
        }
        return -1; // typed references and GC types leave their function without a clone (it syncs with the global)
    }

    private static byte[] funcType(byte[] params, byte[] results) {
        var out = new ByteArrayOutputStream(4 + params.length + results.length);
        out.write(0x60);
        Leb128.writeU32(out, params.length);
        out.writeBytes(params);
        Leb128.writeU32(out, results.length);
        out.writeBytes(results);
        return out.toByteArray();
    }

    /** Index of {@code type} in {@code types}, appended if new. */
    private static int typeIndex(List<byte[]> types, byte[] type) {
        for (int i = 0; i < types.size(); i++) {
            if (java.util.Arrays.equals(types.get(i), type)) {
                return i;
            }
        }
        types.add(type);
        return types.size() - 1;
    }

    /** A block type naming a type index (a non-negative s33). */
    private static byte[] sleb33(int index) {
        var out = new ByteArrayOutputStream(5);
        Leb128.writeS64(out, index);
        return out.toByteArray();
    }

    /** Section order of the binary format (tag = 13 sits between memory and global, datacount before code). */
    private static int rank(int id) {
        switch (id) {
            case 13: return 55;
            case 12: return 95;
            default: return id == 0 ? -1 : id * 10;
        }
    }

    private static byte[] rebuild(byte[] wasm, CodePlan plan, List<byte[]> newTypes, List<Integer> newFunctionTypes,
            int fuelGlobal) {
        var out = new ByteArrayOutputStream(wasm.length * 3 / 2 + 256);
        out.write(wasm, 0, 8);
        byte[] oneGlobal = {0x7E, 0x01, 0x42, 0x00, 0x0B}; // mut i64 = i64.const 0
        byte[] depthGlobal = {0x7F, 0x01, 0x41, 0x00, 0x0B}; // mut i32 = i32.const 0
        byte[] fuelGlobalEntry = concat(concat(oneGlobal, oneGlobal), depthGlobal); // the fuel, the reserve, the depth
        byte[] nameBytes = FUEL_EXPORT.getBytes(StandardCharsets.UTF_8);
        byte[] fuelExportEntry = concat(concat(u32(nameBytes.length), nameBytes), concat(new byte[] {0x03}, u32(fuelGlobal)));
        boolean globalDone = false;
        boolean exportDone = false;
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int id = wasm[pos[0]++] & 0xFF;
            int size = (int) Leb128.readU32(wasm, pos);
            int start = pos[0];
            int end = start + size;
            if (end > wasm.length || end < start) {
                throw new IllegalArgumentException("section " + id + " runs past the end of the module");
            }
            if (!globalDone && rank(id) > rank(GLOBAL_SECTION)) {
                section(out, GLOBAL_SECTION, concat(u32(3), fuelGlobalEntry));
                globalDone = true;
            }
            if (!exportDone && rank(id) > rank(EXPORT_SECTION)) {
                section(out, EXPORT_SECTION, concat(u32(1), fuelExportEntry));
                exportDone = true;
            }
            byte[] content;
            switch (id) {
                case GLOBAL_SECTION:
                    content = append(wasm, start, end, List.of(oneGlobal, oneGlobal, depthGlobal));
                    globalDone = true;
                    break;
                case EXPORT_SECTION:
                    content = append(wasm, start, end, List.of(fuelExportEntry));
                    exportDone = true;
                    break;
                case TYPE_SECTION:
                    content = newTypes.isEmpty() ? null : append(wasm, start, end, newTypes);
                    break;
                case FUNCTION_SECTION: {
                    List<byte[]> types = new ArrayList<>();
                    for (int t : newFunctionTypes) {
                        types.add(u32(t));
                    }
                    content = types.isEmpty() ? null : append(wasm, start, end, types);
                    break;
                }
                case CodeRewriter.CODE_SECTION:
                    content = plan.rewrite(wasm, start, end);
                    break;
                default:
                    content = null;
            }
            if (content == null) {
                out.write(id);
                Leb128.writeU32(out, size);
                out.write(wasm, start, size);
            } else {
                section(out, id, content);
            }
            pos[0] = end;
        }
        if (!globalDone) {
            section(out, GLOBAL_SECTION, concat(u32(3), fuelGlobalEntry));
        }
        if (!exportDone) {
            section(out, EXPORT_SECTION, concat(u32(1), fuelExportEntry));
        }
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        Leb128.writeU32(out, content.length);
        out.writeBytes(content);
    }

    /** A vector section with {@code extra} entries appended. */
    private static byte[] append(byte[] wasm, int start, int end, List<byte[]> extra) {
        int[] pos = {start};
        long count = Leb128.readU32(wasm, pos);
        var out = new ByteArrayOutputStream(end - start + 32);
        Leb128.writeU32(out, count + extra.size());
        out.write(wasm, pos[0], end - pos[0]);
        for (byte[] e : extra) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    private static byte[] u32(long v) {
        var out = new ByteArrayOutputStream(5);
        Leb128.writeU32(out, v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return CodeRewriter.concat(a, b);
    }
}
