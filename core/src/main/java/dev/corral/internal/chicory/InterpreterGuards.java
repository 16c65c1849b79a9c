package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.ExecutionListener;
import com.dylibso.chicory.runtime.MStack;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.Instruction;

/**
 * Checks Chicory's interpreter misses, before the instruction runs. Chicory 1.7.5's interpreter
 * adds the offset of {@code i32.store8}, {@code i64.store8} and {@code i64.store32} to a base it
 * reads as a signed int, so a base of 2^31 or more with a non-zero offset (or a sum past 2^32)
 * wraps to a low address and the store writes there instead of trapping (its other loads and
 * stores check). The write stays in the plugin's own memory, but the result is wrong; here such a
 * store traps as the spec says and compiled code does.
 *
 * <p>Only the interpreter calls an execution listener (compiled code never does), so installing it
 * on every instance costs compiled plugins nothing; in the interpreter it is one call and a switch
 * per instruction.
 */
final class InterpreterGuards implements ExecutionListener {
    static final InterpreterGuards INSTANCE = new InterpreterGuards();

    private InterpreterGuards() {}

    @Override
    public void onExecution(Instruction instruction, MStack stack) {
        switch (instruction.opcode()) {
            case I32_STORE8:
            case I64_STORE8:
            case I64_STORE32:
                long offset = instruction.operand(1);
                if (offset != 0) {
                    int base = (int) stack.array()[stack.size() - 2]; // under the value to store
                    if (base < 0 || base + offset > Integer.MAX_VALUE) { // past 2^31: beyond any memory
                        throw new WasmRuntimeException("out of bounds memory access");
                    }
                }
                break;
            default:
                break;
        }
    }
}
