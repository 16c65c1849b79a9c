package dev.corral.internal.chicory;

import static dev.corral.internal.chicory.FuelCode.*;

import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;

/**
 * How {@link FuelInstrumenter} reads control flow: where a straight-line segment ends
 * ({@link Boundary}), whether a branch leaves the function ({@link Exit}), which blocks a branch
 * targets, and what an instruction costs beyond its one unit ({@link #staticExtra},
 * {@link #helperOf}). An instruction Chicory annotates as a branch that this class does not know
 * fails the rewrite, so a new control construct can never run unmetered.
 */
final class FuelFlow {
    private FuelFlow() {}

    /** Marks the blocks whose `end` a branch (or a try_table catch clause) of {@code in} targets. */
    static void markTargets(AnnotatedInstruction in, java.util.ArrayDeque<int[]> blocks) {
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

    static void mark(java.util.ArrayDeque<int[]> blocks, long label) {
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
    enum Exit { NEVER, MAYBE, ALWAYS }

    static boolean escapes(OpCode op) {
        switch (op) {
            case THROW:
            case THROW_REF:
            case UNREACHABLE:
                return true;
            default:
                return false;
        }
    }

    static boolean isLocalAccess(OpCode op) {
        return op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE;
    }

    static boolean isCall(OpCode op) {
        switch (op) {
            case CALL:
            case CALL_INDIRECT:
            case CALL_REF:
                return true;
            default:
                return false;
        }
    }

    static Exit exitOf(AnnotatedInstruction in, int depth, boolean last) {
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
     * Whether a body must charge the global directly: try_table (see {@link FunctionMeter}), or a tail
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

    enum Boundary {
        /** Not a control transfer: the segment goes on. */
        NONE,
        /** What follows may be reached from elsewhere (a label, the other arm): charge it. */
        JOIN,
        /** What follows runs only if this instruction fell through. */
        FALLTHROUGH,
        /** What follows is dead code until the next {@code end} or {@code else}. */
        NEVER_FALLS_THROUGH
    }

    static Boundary boundaryOf(AnnotatedInstruction in) {
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

    static long staticExtra(AnnotatedInstruction in) {
        if (in.opcode() == OpCode.ARRAY_NEW_FIXED) {
            return in.operand(1);
        }
        return 0;
    }

    static Helper helperOf(OpCode op) {
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
}
