package dev.corral.spi;

import dev.corral.FunctionSignature;
import dev.corral.internal.chicory.BoundHandle;
import java.util.Objects;

/**
 * A function the host offers to plugins under {@code module.name}. Arguments and results travel
 * as raw wasm bits in {@code long}s: i32 sign-extended, f32/f64 as their IEEE bits
 * ({@link Float#floatToRawIntBits}, {@link Double#doubleToRawLongBits}).
 *
 * <p>Most hosts never write one by hand: {@code @HostModule} classes get generated bindings.
 * By hand, {@link #of} with an {@link Implementation} lambda is the simple way; {@link #bound}
 * with a {@link Bound} subclass is the fast way the generated bindings take.
 */
public final class HostFunctionDef {
    /** The host side of a call. Whatever it throws reaches the host as a HostFunctionException. */
    @FunctionalInterface
    public interface Implementation {
        long[] apply(HostContext context, long[] args) throws Exception;
    }

    /**
     * A host function bound to one plugin: the object a plugin's host calls reach directly, with
     * no adapter between (a dependent load less per call; generated bindings take this path).
     * Corral maps whatever {@link #call} throws as it does for an {@link Implementation}, and
     * checks that it returns as many values as the signature declares.
     *
     * <p>Like the plugin it belongs to, one object is only ever called by one thread at a time.
     * Its superclass is Corral's runtime seam: do not rely on it.
     */
    @SuppressWarnings("exports") // the superclass is deliberately internal: it is the runtime seam
    public abstract static class Bound extends BoundHandle {
        private final HostContext context;

        protected Bound(HostContext context) {
            this.context = Objects.requireNonNull(context, "context");
        }

        /** The plugin this function is bound to. */
        protected final HostContext context() {
            return context;
        }

        /** The call: raw wasm bits in, raw wasm bits out, as in {@link Implementation#apply}. */
        @Override
        protected abstract long[] call(long[] args) throws Exception;

        /**
         * How many values {@link #call} returns; every result is checked against it. Return the
         * signature's count as a constant and the check compiles away (linking verifies it).
         */
        @Override
        protected int resultCount() {
            return super.resultCount();
        }
    }

    /** Makes a function's {@link Bound} object for each plugin that links it. */
    @FunctionalInterface
    public interface Binder {
        /**
         * A new object on every call: one per plugin (and per import of the function). Runs while
         * the plugin is being linked, so keep {@code plugin} for later and do not call into it here.
         */
        Bound bind(HostContext plugin);
    }

    private final String module;
    private final String name;
    private final FunctionSignature signature;
    private final Binder binder;

    private HostFunctionDef(String module, String name, FunctionSignature signature, Binder binder) {
        this.module = Objects.requireNonNull(module, "module");
        this.name = Objects.requireNonNull(name, "name");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.binder = Objects.requireNonNull(binder, "binder");
    }

    public static HostFunctionDef of(String module, String name, FunctionSignature signature, Implementation implementation) {
        Objects.requireNonNull(implementation, "implementation");
        return new HostFunctionDef(module, name, signature, plugin -> new Adapted(plugin, implementation));
    }

    /** A function whose {@link Binder} makes a {@link Bound} object per plugin. */
    public static HostFunctionDef bound(String module, String name, FunctionSignature signature, Binder binder) {
        return new HostFunctionDef(module, name, signature, binder);
    }

    public String module() {
        return module;
    }

    public String name() {
        return name;
    }

    public FunctionSignature signature() {
        return signature;
    }

    public Binder binder() {
        return binder;
    }

    @Override
    public String toString() {
        return module + "." + name + " " + signature;
    }

    private static final class Adapted extends Bound {
        private final Implementation implementation;

        Adapted(HostContext context, Implementation implementation) {
            super(context);
            this.implementation = implementation;
        }

        @Override
        protected long[] call(long[] args) throws Exception {
            return implementation.apply(context(), args);
        }
    }
}
