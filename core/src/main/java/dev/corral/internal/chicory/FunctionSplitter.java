package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionBody;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Load-time function splitting (SPLITTING.md): every function whose compiled JVM method would
 * exceed HotSpot's huge-method limit (8,000 bytes of bytecode, above which the JIT never compiles
 * it) is rewritten into a function and helpers that each fit, so the whole module runs compiled
 * and JIT-able on a stock JVM. A wasm-to-wasm rewrite: the result is validated and compiled like
 * any module, and runs the same instructions in the same order (fuel metering, applied before,
 * counts the same).
 *
 * <p>Functions are only appended (helpers after the module's own), types and globals too, so no
 * index of the module changes: exports, tables, the start function and names stay valid.
 */
final class FunctionSplitter {
    /** HotSpot's {@code HugeMethodLimit}: methods with more bytecode are never JIT-compiled. */
    static final int JIT_LIMIT = 8000;
    /** Functions estimated above this many bytes of JVM code are split (the estimate errs by up to ~10%). */
    static final int TRIGGER = 7000;
    /** What a split function and each helper are cut down to, estimated. */
    static final int BUDGET = 5500;

    private static final int TYPE_SECTION = 1;
    private static final int FUNCTION_SECTION = 3;
    private static final int GLOBAL_SECTION = 6;

    /**
     * @param trigger split functions estimated above this many bytes of JVM code
     * @param budget cut them (and size their helpers) to this estimate
     * @param forced functions to split whatever their estimate, with a budget of their own (a second
     *     round, when a compiled method still came out too large)
     */
    record Options(int trigger, int budget, Map<Integer, Integer> forced) {
        static Options defaults() {
            return new Options(TRIGGER, BUDGET, Map.of());
        }
    }

    /**
     * The rewritten module.
     *
     * @param helperOwners each helper's function index, mapped to the function it was cut from
     * @param split functions that were split, with the number of helpers each got
     * @param unsplit functions too large that could not be split, with the reason
     */
    record Result(byte[] bytes, Map<Integer, Integer> helperOwners, Map<Integer, Integer> split, Map<Integer, String> unsplit) {
        boolean changed() {
            return !split.isEmpty();
        }
    }

    private FunctionSplitter() {}

    static Result split(byte[] wasm, WasmModule parsed, Options options) {
        var ctx = new SplitContext(parsed);
        var code = parsed.codeSection();
        Map<Integer, SplitPlanner> planned = new LinkedHashMap<>();
        Map<Integer, String> unsplit = new LinkedHashMap<>();
        for (int f = 0; f < code.functionBodyCount(); f++) {
            int index = ctx.importedFunctions + f;
            FunctionBody body = code.getFunctionBody(f);
            Integer forcedBudget = options.forced().get(index);
            var ins = body.instructions();
            int bytes = ins.get(ins.size() - 1).address() - ins.get(0).address();
            // Chicory emits at most ~1.7 bytes of JVM code per byte of wasm: skip the analysis of
            // functions that cannot come near the trigger
            if (forcedBudget == null && bytes * 17 / 10 < options.trigger()) {
                continue;
            }
            byte[][] sig = ctx.functionSignature(index);
            SplitShape shape = SplitShape.of(body, wasm, sig[0], sig[1], ctx);
            if (shape.unsupported != null) {
                if (forcedBudget != null || new JvmSizeEstimateGuess(bytes).tooLarge(options.trigger())) {
                    unsplit.put(index, "it uses " + shape.unsupported);
                }
                continue;
            }
            int budget = forcedBudget != null ? forcedBudget : options.budget();
            var planner = new SplitPlanner(shape, budget, budget);
            if (forcedBudget == null && planner.size() <= options.trigger()) {
                continue;
            }
            if (!planner.plan()) {
                unsplit.put(index, planner.failure);
            }
            if (!planner.regions.isEmpty()) {
                planned.put(index, planner);
            }
        }
        if (planned.isEmpty()) {
            return new Result(wasm, Map.of(), Map.of(), unsplit);
        }
        return rebuild(wasm, parsed, ctx, planned, unsplit);
    }

    /** A function the splitter cannot type: large if its wasm alone says so. */
    private record JvmSizeEstimateGuess(int wasmBytes) {
        boolean tooLarge(int trigger) {
            return wasmBytes * 13 / 10 > trigger;
        }
    }

    private static final byte[] REGISTER_TYPES = {SplitShape.I32, SplitShape.I64, SplitShape.F32, SplitShape.F64,
            SplitShape.FUNCREF, SplitShape.EXTERNREF};

    private static Result rebuild(byte[] wasm, WasmModule parsed, SplitContext ctx, Map<Integer, SplitPlanner> planned,
            Map<Integer, String> unsplit) {
        // register slots, per type, as many as the most demanding helper needs
        int[] registers = new int[256];
        Map<Integer, SplitEmitter> emitters = new HashMap<>();
        List<byte[]> newTypes = new ArrayList<>();
        Map<String, Integer> typeIndex = new HashMap<>();
        int firstNewType = parsed.typeSection().subTypeCount();
        SplitEmitter.Types types = (params, results) -> typeIndex.computeIfAbsent(
                java.util.Arrays.toString(params) + "->" + java.util.Arrays.toString(results), k -> {
                    newTypes.add(funcType(params, results));
                    return firstNewType + newTypes.size() - 1;
                });
        int[] registerBase = new int[256];
        SplitEmitter.Registers regs = (type, slot) -> registerBase[type & 0xFF] + slot;
        int nextFunction = ctx.functionCount();
        Map<Integer, Integer> owners = new LinkedHashMap<>();
        Map<Integer, Integer> split = new LinkedHashMap<>();
        for (var e : planned.entrySet()) {
            SplitPlanner p = e.getValue();
            var emitter = new SplitEmitter(p, regs, types);
            emitters.put(e.getKey(), emitter);
            for (var r : p.regions) {
                int[] used = SplitEmitter.assignSlots(r, p.s.localTypes, emitter.exitValues(r));
                for (int t = 0; t < 256; t++) {
                    registers[t] = Math.max(registers[t], used[t]);
                }
                r.helperFunction = nextFunction++;
                owners.put(r.helperFunction, e.getKey());
            }
            split.put(e.getKey(), p.regions.size());
        }
        int nextGlobal = ctx.globalCount();
        var globals = new ArrayList<byte[]>();
        for (byte t : REGISTER_TYPES) {
            registerBase[t & 0xFF] = nextGlobal;
            for (int k = 0; k < registers[t & 0xFF]; k++) {
                globals.add(zeroGlobal(t));
                nextGlobal++;
            }
        }
        Map<Integer, byte[]> bodies = new HashMap<>();
        List<byte[]> helperBodies = new ArrayList<>();
        List<Integer> helperTypes = new ArrayList<>();
        for (var e : planned.entrySet()) {
            var emitter = emitters.get(e.getKey());
            bodies.put(e.getKey() - ctx.importedFunctions, emitter.function());
            for (var r : e.getValue().regions) {
                helperBodies.add(emitter.helper(r));
                helperTypes.add(types.index(emitter.helperType(r), emitter.helperResults(r)));
            }
        }
        byte[] out = WasmSections.rewrite(wasm, (id, content) -> {
            switch (id) {
                case TYPE_SECTION:
                    return WasmSections.appendToVector(content, newTypes);
                case FUNCTION_SECTION: {
                    List<byte[]> entries = new ArrayList<>();
                    for (int t : helperTypes) {
                        entries.add(WasmSections.u32(t));
                    }
                    return WasmSections.appendToVector(content, entries);
                }
                case GLOBAL_SECTION:
                    return WasmSections.appendToVector(content, globals);
                case CodeRewriter.CODE_SECTION:
                    return code(content, bodies, helperBodies);
                default:
                    return content;
            }
        }, globals.isEmpty() ? Map.of() : Map.of(GLOBAL_SECTION, WasmSections.appendToVector(null, globals)));
        return new Result(out, Map.copyOf(owners), Map.copyOf(split), unsplit);
    }

    private static byte[] code(byte[] content, Map<Integer, byte[]> bodies, List<byte[]> helpers) {
        int[] pos = {0};
        long count = Leb128.readU32(content, pos);
        var out = new ByteArrayOutputStream(content.length + helpers.size() * 64);
        Leb128.writeU32(out, count + helpers.size());
        for (int f = 0; f < count; f++) {
            int size = (int) Leb128.readU32(content, pos);
            byte[] replaced = bodies.get(f);
            if (replaced != null) {
                Leb128.writeU32(out, replaced.length);
                out.writeBytes(replaced);
            } else {
                Leb128.writeU32(out, size);
                out.write(content, pos[0], size);
            }
            pos[0] += size;
        }
        for (byte[] h : helpers) {
            Leb128.writeU32(out, h.length);
            out.writeBytes(h);
        }
        return out.toByteArray();
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

    private static byte[] zeroGlobal(byte type) {
        switch (type) {
            case SplitShape.I32: return new byte[] {type, 0x01, 0x41, 0x00, 0x0B};
            case SplitShape.I64: return new byte[] {type, 0x01, 0x42, 0x00, 0x0B};
            case SplitShape.F32: return new byte[] {type, 0x01, 0x43, 0, 0, 0, 0, 0x0B};
            case SplitShape.F64: return new byte[] {type, 0x01, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0B};
            default: return new byte[] {type, 0x01, (byte) 0xD0, type, 0x0B}; // ref.null
        }
    }
}
