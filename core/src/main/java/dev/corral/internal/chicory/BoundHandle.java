package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import dev.corral.CorralException;
import dev.corral.HostFunctionException;

/**
 * The Chicory side of {@link dev.corral.spi.HostFunctionDef.Bound}, and the reason that SPI class
 * has a superclass in an internal package: a bound host function is the very object Chicory
 * calls, so a host call reaches the host's code through one object instead of an adapter plus the
 * function it wraps. Each extra object costs a dependent load per call that the JIT cannot hoist
 * (Chicory's interrupt check is a volatile read in every loop), and the adapter measured 2.2x raw
 * Chicory on a primitive call; see host-bindings/README.md.
 *
 * <p>This class is the seam: a switch of runtime changes what it implements, and the generated
 * bindings that extend {@code HostFunctionDef.Bound} never name a Chicory type.
 */
public abstract class BoundHandle implements WasmFunctionHandle {
    private String qualified;
    private int results = -1;

    protected BoundHandle() {}

    /** Raw wasm bits in, raw wasm bits out; whatever it throws, Errors included, is mapped by {@link #apply}. */
    protected abstract long[] call(long[] args) throws Exception;

    @Override
    public final long[] apply(Instance instance, long... args) {
        long[] out;
        try {
            out = call(args);
        } catch (CorralException e) {
            throw e;
        } catch (Exception | Error e) {
            // an Error too (OutOfMemoryError, NoClassDefFoundError, a StackOverflowError of the
            // host's own recursion): it is the host function's failure, not the guest's, and must
            // not reach the caller raw or pass for guest recursion (issue 12, item 14)
            throw new HostFunctionException(qualified, e);
        }
        if (out == null || out.length != resultCount()) {
            checkCount(out); // out of line: keeps apply small enough to inline
        }
        return out;
    }

    private void checkCount(long[] out) {
        int got = out == null ? 0 : out.length;
        if (got != results) {
            throw new HostFunctionException(qualified, new IllegalStateException(
                    "returned " + got + " values but its signature declares " + results));
        }
    }

    /**
     * How many values {@link #call} returns, which every call's result is checked against. A
     * subclass whose count is fixed may return it as a constant: then the check compiles away
     * (it is a field load and a branch per call otherwise). Linking verifies the constant.
     */
    protected int resultCount() {
        return results;
    }

    /** Called once, when the plugin that owns this object is linked. */
    final void attach(String qualified, int results) {
        if (this.qualified != null) {
            throw new IllegalStateException("the Binder of " + qualified
                    + " returned an object already linked as " + this.qualified + ": bind must return a new object on every call");
        }
        this.qualified = qualified;
        this.results = results;
        if (resultCount() != results) {
            throw new IllegalStateException("host function " + qualified + " says it returns " + resultCount()
                    + " values but its signature declares " + results);
        }
    }

    final String qualified() {
        return qualified;
    }
}
