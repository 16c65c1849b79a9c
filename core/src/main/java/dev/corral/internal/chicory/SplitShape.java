package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of one function body, as {@link FunctionSplitter} needs it: how constructs nest, where
 * every branch goes, and the operand stack (height and value types) before every instruction.
 * Computed once, by the validation algorithm of the spec, over the body Chicory parsed (and
 * validated). Instructions are numbered by their position in the body.
 *
 * <p>Only what the splitter can move is typed: the MVP, sign extension, saturating truncation, bulk
 * memory, multi-value and the reference types of wasm 2.0. A body using anything else (SIMD,
 * atomics, exceptions, tail calls, GC) gets {@link #unsupported} set and is left whole.
 */
final class SplitShape {
    /** The label of the function itself: a branch to it is a return. */
    static final int FUNCTION = -1;
    /** A stack slot whose type is unknown (only in unreachable code). */
    static final byte UNKNOWN = 0;

    static final byte I32 = 0x7F;
    static final byte I64 = 0x7E;
    static final byte F32 = 0x7D;
    static final byte F64 = 0x7C;
    static final byte FUNCREF = 0x70;
    static final byte EXTERNREF = 0x6F;

    /** One value on the operand stack, and the values under it: a persistent stack. */
    static final class Slot {
        final byte type;
        final Slot below;

        Slot(byte type, Slot below) {
            this.type = type;
            this.below = below;
        }
    }

    final List<AnnotatedInstruction> ins;
    final int n;
    /** The module's bytes the body was parsed from, and where each instruction's encoding starts. */
    final byte[] wasm;
    /** Number of open constructs before instruction i (the function's own frame not counted). */
    final int[] depth;
    /** For a block/loop/if/else: the index of its end; for an end: its opener (-1 for the function's). */
    final int[] match;
    /** For an if: the index of its else, or -1. */
    final int[] elseOf;
    /** The innermost construct containing instruction i, or -1. */
    final int[] parent;
    /** Operand stack height before instruction i, all frames counted; -1 where the code is unreachable. */
    final int[] height;
    /** The operand stack before instruction i (its top slot), where reachable. */
    final Slot[] stack;
    /** The values instruction i takes from its frame's stack (a construct: its parameters, and an if's condition). */
    final int[] pops;
    /** For a branch, return or conditional branch: the openers it may jump to ({@link #FUNCTION} for the function). */
    final int[][] targets;
    /** For an opener: its parameter and result types. */
    final byte[][] params;
    final byte[][] results;
    /** The function's locals, parameters first. */
    final byte[] localTypes;
    final int paramCount;
    final byte[] functionResults;
    /** Why the body cannot be split, or null. */
    String unsupported;

    private SplitShape(FunctionBody body, byte[] wasm, byte[] paramTypes, byte[] resultTypes, byte[] declared) {
        this.ins = body.instructions();
        this.n = ins.size();
        this.wasm = wasm;
        this.depth = new int[n];
        this.match = new int[n];
        this.elseOf = new int[n];
        this.parent = new int[n];
        this.height = new int[n + 1];
        this.stack = new Slot[n + 1];
        this.pops = new int[n];
        this.targets = new int[n][];
        this.params = new byte[n][];
        this.results = new byte[n][];
        this.paramCount = paramTypes.length;
        this.localTypes = new byte[paramTypes.length + declared.length];
        System.arraycopy(paramTypes, 0, localTypes, 0, paramTypes.length);
        System.arraycopy(declared, 0, localTypes, paramTypes.length, declared.length);
        this.functionResults = resultTypes;
    }

    /** Byte range of instruction i's encoding in {@link #wasm}. */
    int start(int i) {
        return ins.get(i).address();
    }

    int end(int i) {
        return i + 1 < n ? ins.get(i + 1).address() : ins.get(i).address() + 1;
    }

    OpCode op(int i) {
        return ins.get(i).opcode();
    }

    boolean isOpener(int i) {
        OpCode op = op(i);
        return op == OpCode.BLOCK || op == OpCode.LOOP || op == OpCode.IF;
    }

    /** The types a branch to {@code opener} carries. */
    byte[] labelTypes(int opener) {
        if (opener == FUNCTION) {
            return functionResults;
        }
        return op(opener) == OpCode.LOOP ? params[opener] : results[opener];
    }

    /** The {@code count} types on top of the stack before instruction i, bottom first. */
    byte[] topTypes(int i, int count) {
        byte[] out = new byte[count];
        Slot s = stack[i];
        for (int k = count - 1; k >= 0; k--) {
            out[k] = s.type;
            s = s.below;
        }
        return out;
    }

    // ---- analysis ----

    /** What the function's frame and each open construct know while walking the body. */
    private static final class Frame {
        final int opener;
        final boolean loop;
        final Slot base;
        final int baseHeight;
        final byte[] params;
        final byte[] results;
        final boolean dead;
        boolean unreachable;

        Frame(int opener, boolean loop, Slot base, int baseHeight, byte[] params, byte[] results, boolean dead) {
            this.opener = opener;
            this.loop = loop;
            this.base = base;
            this.baseHeight = baseHeight;
            this.params = params;
            this.results = results;
            this.dead = dead;
        }

        byte[] labelTypes() {
            return loop ? params : results;
        }
    }

    /**
     * Analyses one body. {@code context} answers the module-level questions (function, global,
     * table and block types); a body the analysis cannot type is returned with
     * {@link #unsupported} set.
     */
    static SplitShape of(FunctionBody body, byte[] wasm, byte[] paramTypes, byte[] resultTypes, SplitContext context) {
        byte[] declared = new byte[body.localTypes().size()];
        for (int i = 0; i < declared.length; i++) {
            declared[i] = context.valueType(body.localTypes().get(i));
        }
        var s = new SplitShape(body, wasm, paramTypes, resultTypes, declared);
        for (byte t : s.localTypes) {
            if (t == UNKNOWN) {
                s.unsupported = "a local of a type the splitter does not handle";
                return s;
            }
        }
        try {
            s.walk(context);
        } catch (SplitContext.UnsupportedShape e) {
            s.unsupported = e.getMessage();
        }
        return s;
    }

    private Slot top;
    private int h;
    private final ArrayList<Frame> frames = new ArrayList<>();

    private Frame frame() {
        return frames.get(frames.size() - 1);
    }

    private void push(byte t) {
        top = new Slot(t, top);
        h++;
    }

    private void push(byte[] ts) {
        for (byte t : ts) {
            push(t);
        }
    }

    private byte pop() {
        Frame f = frame();
        if (h > f.baseHeight) {
            byte t = top.type;
            top = top.below;
            h--;
            return t;
        }
        return UNKNOWN; // only in unreachable code: the module validated
    }

    private void pop(int count) {
        for (int k = 0; k < count; k++) {
            pop();
        }
    }

    private void unreachable() {
        Frame f = frame();
        f.unreachable = true;
        top = f.base;
        h = f.baseHeight;
    }

    private int label(long relative, int at) {
        int idx = frames.size() - 1 - (int) relative;
        if (idx < 0) {
            throw new IllegalStateException("branch beyond the function at instruction " + at);
        }
        return frames.get(idx).opener;
    }

    private byte[] labelTypesOf(long relative) {
        return frames.get(frames.size() - 1 - (int) relative).labelTypes();
    }

    private void walk(SplitContext context) {
        frames.add(new Frame(FUNCTION, false, null, 0, new byte[0], functionResults, false));
        for (int i = 0; i < n; i++) {
            AnnotatedInstruction in = ins.get(i);
            OpCode op = in.opcode();
            Frame f = frame();
            depth[i] = frames.size() - 1;
            parent[i] = f.opener;
            height[i] = f.unreachable || f.dead ? -1 : h;
            stack[i] = top;
            match[i] = -1;
            elseOf[i] = -1;
            switch (op) {
                case BLOCK:
                case LOOP:
                case IF: {
                    byte[][] bt = context.blockType(wasm, in.address() + 1);
                    params[i] = bt[0];
                    results[i] = bt[1];
                    if (op == OpCode.IF) {
                        pop();
                    }
                    pops[i] = bt[0].length + (op == OpCode.IF ? 1 : 0);
                    // the parameters move into the new frame: its base is below them
                    pop(bt[0].length);
                    Slot base = top;
                    int baseHeight = h;
                    push(bt[0]);
                    frames.add(new Frame(i, op == OpCode.LOOP, base, baseHeight, bt[0], bt[1], f.dead || f.unreachable));
                    break;
                }
                case ELSE: {
                    elseOf[f.opener] = i;
                    match[i] = f.opener;
                    top = f.base;
                    h = f.baseHeight;
                    push(f.params);
                    f.unreachable = false;
                    break;
                }
                case END: {
                    if (i == n - 1) {
                        break;
                    }
                    frames.remove(frames.size() - 1);
                    match[f.opener] = i;
                    match[i] = f.opener;
                    top = f.base;
                    h = f.baseHeight;
                    push(f.results);
                    break;
                }
                case BR: {
                    targets[i] = new int[] {label(in.operand(0), i)};
                    pops[i] = labelTypesOf(in.operand(0)).length;
                    unreachable();
                    break;
                }
                case BR_IF: {
                    targets[i] = new int[] {label(in.operand(0), i)};
                    byte[] lt = labelTypesOf(in.operand(0));
                    pops[i] = 1 + lt.length;
                    pop();
                    pop(lt.length);
                    push(lt);
                    break;
                }
                case BR_TABLE: {
                    int[] t = new int[in.operandCount()];
                    for (int k = 0; k < t.length; k++) {
                        t[k] = label(in.operand(k), i);
                    }
                    targets[i] = t;
                    pops[i] = 1 + labelTypesOf(in.operand(t.length - 1)).length;
                    unreachable();
                    break;
                }
                case RETURN:
                    targets[i] = new int[] {FUNCTION};
                    pops[i] = functionResults.length;
                    unreachable();
                    break;
                case UNREACHABLE:
                    unreachable();
                    break;
                case CALL: {
                    byte[][] sig = context.functionSignature((int) in.operand(0));
                    pops[i] = sig[0].length;
                    pop(sig[0].length);
                    push(sig[1]);
                    break;
                }
                case CALL_INDIRECT: {
                    byte[][] sig = context.typeSignature((int) in.operand(0));
                    pops[i] = sig[0].length + 1;
                    pop(sig[0].length + 1);
                    push(sig[1]);
                    break;
                }
                case DROP:
                    pops[i] = 1;
                    pop();
                    break;
                case SELECT:
                case SELECT_T: {
                    pops[i] = 3;
                    pop();
                    byte a = pop();
                    byte b = pop();
                    push(a != UNKNOWN ? a : b);
                    break;
                }
                case LOCAL_GET:
                    push(localTypes[(int) in.operand(0)]);
                    break;
                case LOCAL_SET:
                    pops[i] = 1;
                    pop();
                    break;
                case LOCAL_TEE:
                    pops[i] = 1;
                    pop();
                    push(localTypes[(int) in.operand(0)]);
                    break;
                case GLOBAL_GET:
                    push(context.globalType((int) in.operand(0)));
                    break;
                case GLOBAL_SET:
                    pops[i] = 1;
                    pop();
                    break;
                case TABLE_GET:
                    pops[i] = 1;
                    pop();
                    push(context.tableType((int) in.operand(0)));
                    break;
                case TABLE_SET:
                    pops[i] = 2;
                    pop(2);
                    break;
                case TABLE_GROW:
                    pops[i] = 2;
                    pop(2);
                    push(I32);
                    break;
                case TABLE_FILL:
                    pops[i] = 3;
                    pop(3);
                    break;
                case REF_NULL: {
                    int heap = wasm[in.address() + 1] & 0xFF;
                    if (heap != (FUNCREF & 0xFF) && heap != (EXTERNREF & 0xFF)) {
                        throw SplitContext.unsupported("ref.null of heap type " + heap);
                    }
                    push((byte) heap);
                    break;
                }
                case REF_IS_NULL:
                    pops[i] = 1;
                    pop();
                    push(I32);
                    break;
                case REF_FUNC:
                    push(FUNCREF);
                    break;
                default: {
                    byte[][] sig = FIXED.get(op);
                    if (sig == null) {
                        throw SplitContext.unsupported("instruction " + op);
                    }
                    pops[i] = sig[0].length;
                    pop(sig[0].length);
                    push(sig[1]);
                }
            }
        }
        height[n] = -1;
        for (int i = 0; i < n; i++) {
            if (isOpener(i) && match[i] < 0) {
                throw new IllegalStateException("construct at " + i + " is never closed");
            }
        }
    }

    // ---- instructions with a fixed signature ----

    private static final Map<OpCode, byte[][]> FIXED = new EnumMap<>(OpCode.class);

    static {
        for (OpCode op : OpCode.values()) {
            byte[][] sig = fixedSignature(op);
            if (sig != null) {
                FIXED.put(op, sig);
            }
        }
    }

    private static byte[][] sig(String pops, String pushes) {
        return new byte[][] {types(pops), types(pushes)};
    }

    private static byte[] types(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = typeOf(s.charAt(i));
        }
        return out;
    }

    private static byte typeOf(char c) {
        switch (c) {
            case 'i': return I32;
            case 'I': return I64;
            case 'f': return F32;
            case 'F': return F64;
            default: throw new IllegalArgumentException(String.valueOf(c));
        }
    }

    private static char code(String token) {
        switch (token) {
            case "I32": return 'i';
            case "I64": return 'I';
            case "F32": return 'f';
            case "F64": return 'F';
            default: return 0;
        }
    }

    /** Pops and pushes of the numeric, memory and bulk instructions, from their names. */
    static byte[][] fixedSignature(OpCode op) {
        switch (op) {
            case NOP:
            case DATA_DROP:
            case ELEM_DROP:
                return sig("", "");
            case MEMORY_SIZE:
            case TABLE_SIZE:
                return sig("", "i");
            case MEMORY_GROW:
                return sig("i", "i");
            case MEMORY_INIT:
            case MEMORY_COPY:
            case MEMORY_FILL:
            case TABLE_INIT:
            case TABLE_COPY:
                return sig("iii", "");
            default:
                break;
        }
        String[] t = op.name().split("_");
        char type = code(t[0]);
        if (type == 0 || t.length < 2) {
            return null;
        }
        String ty = String.valueOf(type);
        String rest = op.name().substring(t[0].length() + 1);
        if (rest.equals("CONST")) {
            return sig("", ty);
        }
        if (rest.startsWith("LOAD")) {
            return sig("i", ty);
        }
        if (rest.startsWith("STORE")) {
            return sig("i" + ty, "");
        }
        if (rest.startsWith("ATOMIC")) {
            return null;
        }
        for (int k = 1; k < t.length; k++) {
            char from = code(t[k]);
            if (from != 0) {
                return sig(String.valueOf(from), ty); // a conversion: wrap, trunc, extend, convert, demote, promote, reinterpret
            }
        }
        switch (rest) {
            case "EQZ":
                return sig(ty, "i");
            case "EQ": case "NE": case "LT": case "GT": case "LE": case "GE":
            case "LT_S": case "LT_U": case "GT_S": case "GT_U": case "LE_S": case "LE_U": case "GE_S": case "GE_U":
                return sig(ty + ty, "i");
            case "CLZ": case "CTZ": case "POPCNT": case "ABS": case "NEG": case "CEIL": case "FLOOR": case "TRUNC":
            case "NEAREST": case "SQRT": case "EXTEND_8_S": case "EXTEND_16_S": case "EXTEND_32_S":
                return sig(ty, ty);
            case "ADD": case "SUB": case "MUL": case "DIV": case "DIV_S": case "DIV_U": case "REM_S": case "REM_U":
            case "AND": case "OR": case "XOR": case "SHL": case "SHR_S": case "SHR_U": case "ROTL": case "ROTR":
            case "MIN": case "MAX": case "COPYSIGN":
                return sig(ty + ty, ty);
            default:
                return null;
        }
    }
}
