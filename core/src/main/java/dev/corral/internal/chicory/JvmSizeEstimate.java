package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.OpCode;

/**
 * Estimates the JVM bytecode Chicory 1.7.5's compiler emits per wasm instruction, so the splitter
 * knows which functions exceed HotSpot's huge-method limit and where to cut them without compiling.
 * Measured by compiling each instruction kind 200 times over (see SPLITTING.md); the estimate errs
 * on the large side, and the compiled sizes are checked afterwards ({@link CompiledCode}).
 */
final class JvmSizeEstimate {
    private final SplitShape s;
    private final int[] slot;

    JvmSizeEstimate(SplitShape shape) {
        this.s = shape;
        this.slot = new int[shape.localTypes.length];
        int next = 0;
        for (int i = 0; i < slot.length; i++) {
            slot[i] = next;
            next += wide(shape.localTypes[i]) ? 2 : 1;
        }
    }

    private static boolean wide(byte t) {
        return t == SplitShape.I64 || t == SplitShape.F64;
    }

    /** Bytes to load or store a JVM local slot. */
    static int slotAccess(int slot) {
        return slot < 4 ? 1 : slot < 256 ? 2 : 4;
    }

    /** What Chicory adds per function: one default-value store per declared local, and a return. */
    int prologue() {
        return 3 * (s.localTypes.length - s.paramCount) + 4;
    }

    /** Bytes of JVM code for instruction {@code i}. */
    int of(int i) {
        AnnotatedInstruction in = s.ins.get(i);
        OpCode op = in.opcode();
        switch (op) {
            case BLOCK:
            case LOOP:
            case END:
            case NOP:
                return 0;
            case IF:
            case ELSE:
                return 3;
            case LOCAL_GET:
            case LOCAL_SET:
                return slotAccess(slot[(int) in.operand(0)]);
            case LOCAL_TEE:
                return 1 + slotAccess(slot[(int) in.operand(0)]);
            case I32_CONST: {
                long v = in.operand(0);
                return v >= -1 && v <= 5 ? 1 : v >= -128 && v <= 127 ? 2 : 3;
            }
            case I64_CONST:
            case F32_CONST:
            case F64_CONST:
                return 3;
            case DROP:
                return 1;
            case SELECT:
            case SELECT_T:
                return 6;
            case GLOBAL_GET:
            case GLOBAL_SET:
                return 7;
            case CALL:
                return 8 + resultsCost(i);
            case CALL_INDIRECT:
                return 12;
            case BR:
                return 3 + backward(i) + 2 * s.pops[i];
            case BR_IF:
                return 3 + 2 * backward(i) + 2 * (s.pops[i] - 1);
            case BR_TABLE:
                return 16 + 4 * s.targets[i].length + backward(i) + 2 * s.pops[i];
            case RETURN:
                return 2 + 2 * s.functionResults.length;
            case UNREACHABLE:
                return 7;
            case I32_LOAD8_U:
            case I32_LOAD16_U:
                return 10;
            case I64_LOAD8_U:
            case I64_LOAD16_U:
            case I64_LOAD32_U:
                return 12;
            case I32_ADD: case I32_SUB: case I32_MUL: case I32_AND: case I32_OR: case I32_XOR:
            case I32_SHL: case I32_SHR_S: case I32_SHR_U:
            case I64_ADD: case I64_SUB: case I64_MUL: case I64_AND: case I64_OR: case I64_XOR:
            case F32_ADD: case F32_SUB: case F32_MUL: case F32_DIV: case F32_NEG:
            case F64_ADD: case F64_SUB: case F64_MUL: case F64_DIV: case F64_NEG:
            case I32_WRAP_I64: case I64_EXTEND_I32_S:
                return 1;
            case I64_SHL: case I64_SHR_S: case I64_SHR_U:
                return 2;
            default:
                String name = op.name();
                if (name.contains("_LOAD")) {
                    return name.startsWith("I64") ? 8 : 7;
                }
                if (name.contains("_STORE")) {
                    return 7;
                }
                if (name.startsWith("MEMORY") || name.startsWith("TABLE")) {
                    return 7;
                }
                return 3;
        }
    }

    /** Calls returning several values get a long[] back and unbox each one. */
    private int resultsCost(int i) {
        if (s.height[i] < 0 || s.height[i + 1] < 0) {
            return 0;
        }
        int results = s.height[i + 1] - s.height[i] + s.pops[i];
        return results > 1 ? 6 * results : 0;
    }

    /** Chicory checks for interruption on every backward branch (to a loop). */
    private int backward(int i) {
        for (int t : s.targets[i]) {
            if (t != SplitShape.FUNCTION && s.op(t) == OpCode.LOOP) {
                return 3;
            }
        }
        return 0;
    }

    /** The estimated size of the whole function as it stands. */
    int function() {
        int total = prologue();
        for (int i = 0; i < s.n; i++) {
            total += of(i);
        }
        return total;
    }
}
