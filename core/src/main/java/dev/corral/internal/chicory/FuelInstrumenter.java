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
 * <p><b>What is added.</b> One mutable i64 global holding the remaining fuel (appended to the
 * global section, so its index is imported globals + defined globals and nothing is renumbered),
 * exported as {@value #FUEL_EXPORT} so the host can set and read it; and, only when the module
 * uses them, up to three helper functions {@code (i32) -> (i32)} appended after the module's own
 * functions, which charge for a run-time length and pass it through.
 *
 * <p><b>Where fuel is charged.</b> Each function body is cut into straight-line segments: a segment
 * ends after every instruction that can transfer control ({@code if}, {@code else}, {@code end},
 * {@code loop}, every branch, {@code return}, tail calls, {@code throw}, {@code unreachable}). Every
 * segment that can be entered (function entry, loop header, then/else arms, after an {@code end},
 * after a conditional branch falls through) starts by subtracting its static cost from the global
 * and trapping with {@code unreachable} if the result is negative. Every loop iteration and every
 * call therefore pays before it runs, so no loop or recursion runs uncharged. Segments after an
 * unconditional transfer are dead until the next {@code end}/{@code else} and get no charge.
 *
 * <p><b>Cost model</b> (in fuel units; the public summary is on
 * {@link dev.corral.PluginPolicy.Builder#fuel(long)}):
 * <ul>
 *   <li>1 unit per wasm instruction of the original module, structural ones ({@code block},
 *       {@code end} ...) included; the instrumentation's own code is free.</li>
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

    /** The rewritten module and where its fuel global lives. */
    record Result(byte[] bytes, int fuelGlobalIndex, int definedGlobalCount) {}

    private FuelInstrumenter() {}

    /**
     * Instruments {@code wasm} (already parsed and validated as {@code parsed}). Loops also get the
     * interrupt check of {@link CodeRewriter#makeLoopsInterruptible}, so the result can replace the
     * plain runnable module.
     */
    static Result instrument(byte[] wasm, WasmModule parsed) {
        for (int i = 0; i < parsed.exportSection().exportCount(); i++) {
            if (FUEL_EXPORT.equals(parsed.exportSection().getExport(i).name())) {
                throw new IllegalArgumentException("the module already exports '" + FUEL_EXPORT
                        + "', a name Corral reserves for fuel metering");
            }
        }
        int importedGlobals = parsed.importSection().count(ExternalType.GLOBAL);
        int definedGlobals = parsed.globalSection().globalCount();
        int fuelGlobal = importedGlobals + definedGlobals;
        int importedFunctions = parsed.importSection().count(ExternalType.FUNCTION);
        int definedFunctions = parsed.functionSection().functionCount();

        var edits = new Edits();
        CodeRewriter.addLoopInterruptChecks(parsed, edits.others);
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
        for (var e : helperIndex.entrySet()) {
            e.setValue(nextFunction++);
            helperBodies.add(helperBody(e.getKey(), fuelGlobal));
        }

        int[] fuelLocals = new int[code.functionBodyCount()];
        for (int f = 0; f < code.functionBodyCount(); f++) {
            FunctionBody body = code.getFunctionBody(f);
            int fuelLocal = -1;
            if (!needsGlobalCharging(body)) {
                int params = parsed.functionSection().getFunctionType(f, parsed.typeSection()).params().size();
                fuelLocal = params + body.localTypes().size();
            }
            fuelLocals[f] = fuelLocal;
            new FunctionMeter(body, f, fuelGlobal, fuelLocal, edits, helperIndex).run();
        }
        int helperType = parsed.typeSection().subTypeCount();
        byte[] out = rebuild(wasm, edits.merged(), helperBodies, helperType, fuelGlobal, fuelLocals, code);
        return new Result(out, fuelGlobal, definedGlobals + 1);
    }

    /** Per-address insertions of one rewrite, kept in two layers so charges always come first. */
    static final class Edits {
        final NavigableMap<Integer, byte[]> charges = new TreeMap<>();
        final NavigableMap<Integer, byte[]> others = new TreeMap<>();

        NavigableMap<Integer, byte[]> merged() {
            NavigableMap<Integer, byte[]> all = new TreeMap<>(charges);
            for (var e : others.entrySet()) {
                CodeRewriter.insert(all, e.getKey(), e.getValue());
            }
            return all;
        }
    }

    /**
     * Meters one function body. Where it can, the function keeps its fuel in a local of its own
     * (a JVM local once compiled, so charging a loop iteration costs a subtract and a test). The
     * global is the truth at calls and exits: the local is loaded from it at entry, written back
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
        private final int fuelGlobal;
        private final int fuelLocal; // -1: charge the global directly
        private final Edits edits;
        private final Map<Helper, Integer> helperIndex;
        private final byte[] flush;
        private final byte[] reload;

        FunctionMeter(FunctionBody body, int f, int fuelGlobal, int fuelLocal, Edits edits, Map<Helper, Integer> helperIndex) {
            this.ins = body.instructions();
            this.f = f;
            this.fuelGlobal = fuelGlobal;
            this.fuelLocal = fuelLocal;
            this.edits = edits;
            this.helperIndex = helperIndex;
            this.flush = fuelLocal >= 0 ? flush(fuelLocal, fuelGlobal) : new byte[0];
            this.reload = fuelLocal >= 0 ? reload(fuelLocal, fuelGlobal) : new byte[0];
        }

        void run() {
            int n = ins.size();
            boolean local = fuelLocal >= 0;
            if (local) {
                CodeRewriter.insert(edits.charges, ins.get(0).address(), reload);
            }
            int segmentStart = 0;
            long cost = 0;
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
                cost += 1 + staticExtra(in);
                Helper h = helperOf(op);
                if (h != null) {
                    byte[] call = concat(new byte[] {0x10}, u32(helperIndex.get(h)));
                    CodeRewriter.insert(edits.others, in.address(), local && !stale ? concat(flush, call) : call);
                    stale = local;
                } else if (local && isCall(op)) {
                    if (!stale) {
                        CodeRewriter.insert(edits.others, in.address(), flush);
                    }
                    stale = true;
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
                if (local && b != Boundary.NONE) {
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
                if (live) {
                    CodeRewriter.insert(edits.charges, ins.get(segmentStart).address(),
                            local ? chargeLocal(fuelLocal, fuelGlobal, cost) : charge(fuelGlobal, cost));
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
            }
            if (segmentStart < n) {
                // the parser guarantees a body ends with `end`, which closes every segment
                throw new IllegalStateException("function " + f + " does not end with 'end'");
            }
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

    /** {@code local -= cost; if (local < 0) { global = local; unreachable }}. Stack-neutral. */
    static byte[] chargeLocal(int local, int global, long cost) {
        var out = new ByteArrayOutputStream(24);
        out.write(0x20);
        Leb128.writeU32(out, local);
        out.write(0x42);
        Leb128.writeS64(out, cost);
        out.write(0x7D); // i64.sub
        out.write(0x22); // local.tee
        Leb128.writeU32(out, local);
        out.writeBytes(new byte[] {0x42, 0x00, 0x53, 0x04, 0x40}); // i64.const 0 lt_s if
        out.writeBytes(flush(local, global));
        out.writeBytes(new byte[] {0x00, 0x0B}); // unreachable end
        return out.toByteArray();
    }

    /** {@code global = local}. */
    static byte[] flush(int local, int global) {
        var out = new ByteArrayOutputStream(8);
        out.write(0x20);
        Leb128.writeU32(out, local);
        out.write(0x24);
        Leb128.writeU32(out, global);
        return out.toByteArray();
    }

    /** {@code local = global}. */
    static byte[] reload(int local, int global) {
        var out = new ByteArrayOutputStream(8);
        out.write(0x23);
        Leb128.writeU32(out, global);
        out.write(0x21);
        Leb128.writeU32(out, local);
        return out.toByteArray();
    }

    private static void writeCheck(ByteArrayOutputStream out, int global) {
        out.write(0x23);
        Leb128.writeU32(out, global);
        out.writeBytes(new byte[] {0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0B}); // i64.const 0 lt_s if unreachable end
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

    /** Section order of the binary format (tag = 13 sits between memory and global, datacount before code). */
    private static int rank(int id) {
        switch (id) {
            case 13: return 55;
            case 12: return 95;
            default: return id == 0 ? -1 : id * 10;
        }
    }

    private static byte[] rebuild(byte[] wasm, NavigableMap<Integer, byte[]> insertions, List<byte[]> helperBodies,
            int helperType, int fuelGlobal, int[] fuelLocals, com.dylibso.chicory.wasm.types.CodeSection code) {
        // bodies that get the fuel local: where their instructions start (after the local declarations)
        int[] codeStarts = new int[fuelLocals.length];
        for (int f = 0; f < fuelLocals.length; f++) {
            codeStarts[f] = fuelLocals[f] < 0 ? -1 : code.getFunctionBody(f).instructions().get(0).address();
        }
        var out = new ByteArrayOutputStream(wasm.length + insertions.size() * 16 + 256);
        out.write(wasm, 0, 8);
        byte[] fuelGlobalEntry = {0x7E, 0x01, 0x42, 0x00, 0x0B}; // mut i64 = i64.const 0
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
                section(out, GLOBAL_SECTION, concat(u32(1), fuelGlobalEntry));
                globalDone = true;
            }
            if (!exportDone && rank(id) > rank(EXPORT_SECTION)) {
                section(out, EXPORT_SECTION, concat(u32(1), fuelExportEntry));
                exportDone = true;
            }
            byte[] content;
            switch (id) {
                case GLOBAL_SECTION:
                    content = append(wasm, start, end, List.of(fuelGlobalEntry));
                    globalDone = true;
                    break;
                case EXPORT_SECTION:
                    content = append(wasm, start, end, List.of(fuelExportEntry));
                    exportDone = true;
                    break;
                case TYPE_SECTION:
                    content = helperBodies.isEmpty() ? null
                            : append(wasm, start, end, List.of(new byte[] {0x60, 0x01, 0x7F, 0x01, 0x7F}));
                    break;
                case FUNCTION_SECTION: {
                    List<byte[]> types = new ArrayList<>();
                    for (int k = 0; k < helperBodies.size(); k++) {
                        types.add(u32(helperType));
                    }
                    content = helperBodies.isEmpty() ? null : append(wasm, start, end, types);
                    break;
                }
                case CodeRewriter.CODE_SECTION:
                    content = CodeRewriter.rewriteCode(wasm, start, end, insertions, helperBodies, codeStarts);
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
            section(out, GLOBAL_SECTION, concat(u32(1), fuelGlobalEntry));
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
