package dev.corral.spi;

import dev.corral.FunctionSignature;
import java.util.Objects;

/**
 * A function the host offers to plugins under {@code module.name}. Arguments and results travel
 * as raw wasm bits in {@code long}s: i32 sign-extended, f32/f64 as their IEEE bits
 * ({@link Float#floatToRawIntBits}, {@link Double#doubleToRawLongBits}).
 *
 * <p>Most hosts never write one by hand: {@code @HostModule} classes get generated bindings.
 */
public final class HostFunction {
    /** The host side of a call. Whatever it throws reaches the host as a HostFunctionException. */
    @FunctionalInterface
    public interface Implementation {
        long[] apply(HostContext context, long[] args) throws Exception;
    }

    private final String module;
    private final String name;
    private final FunctionSignature signature;
    private final Implementation implementation;

    private HostFunction(String module, String name, FunctionSignature signature, Implementation implementation) {
        this.module = Objects.requireNonNull(module, "module");
        this.name = Objects.requireNonNull(name, "name");
        this.signature = Objects.requireNonNull(signature, "signature");
        this.implementation = Objects.requireNonNull(implementation, "implementation");
    }

    public static HostFunction of(String module, String name, FunctionSignature signature, Implementation implementation) {
        return new HostFunction(module, name, signature, implementation);
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

    public Implementation implementation() {
        return implementation;
    }

    @Override
    public String toString() {
        return module + "." + name + " " + signature;
    }
}
