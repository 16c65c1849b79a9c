package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.MStack;
import com.dylibso.chicory.runtime.StackFrame;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.util.Deque;

/**
 * The interpreter, remembering the innermost wasm function an exception passed through, so a trap
 * can name the function it happened in. The try/catch costs nothing until something is thrown.
 */
final class TrackingInterpreterMachine extends InterpreterMachine {
    private Throwable tracked;
    private int trackedFunction = -1;
    /** The interpreter's value stack, seen on the first call (it is private to the superclass). */
    private MStack valueStack;

    TrackingInterpreterMachine(Instance instance) {
        super(instance);
    }

    @Override
    protected long[] call(MStack stack, Instance instance, Deque<StackFrame> callStack, int funcId,
            long[] args, FunctionType callType, boolean popResults) throws ChicoryException {
        if (valueStack == null) {
            valueStack = stack;
        }
        try {
            return super.call(stack, instance, callStack, funcId, args, callType, popResults);
        } catch (RuntimeException | StackOverflowError e) {
            if (tracked != e) {
                tracked = e;
                trackedFunction = funcId;
            }
            throw e;
        }
    }

    /**
     * Drops what a failed call left on the interpreter's stacks (an exception unwinds past their
     * frames without popping them), so that a restored instance starts its next call clean.
     */
    void clearStacks() {
        callStack.clear();
        if (valueStack != null) {
            while (valueStack.size() > 0) {
                valueStack.pop();
            }
        }
        tracked = null;
        trackedFunction = -1;
    }

    /** The innermost function {@code e} was thrown through, or -1. */
    int functionOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t == tracked) {
                return trackedFunction;
            }
        }
        return -1;
    }
}
