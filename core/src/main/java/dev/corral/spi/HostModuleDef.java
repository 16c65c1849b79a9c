package dev.corral.spi;

import java.util.List;

/**
 * A named group of host functions granted to a plugin through its policy. Implemented by the
 * bindings the annotation processor generates, by the built-in capabilities, or by hand.
 */
public interface HostModuleDef {
    /** The wasm import module name the functions live under, e.g. {@code "env"}. */
    String name();

    /** The functions; each one's {@link HostFunctionDef#module()} must equal {@link #name()}. */
    List<HostFunctionDef> functions();

    /**
     * Called before linking a plugin that imports at least one of {@link #functions()}; throw a
     * {@link dev.corral.CorralException} to refuse it with a clear message (e.g. a plugin built
     * for an incompatible guest ABI). The default accepts every plugin.
     */
    default void checkPlugin(dev.corral.PluginModule module) {}

    static HostModuleDef of(String name, List<HostFunctionDef> functions) {
        List<HostFunctionDef> copy = List.copyOf(functions);
        for (HostFunctionDef f : copy) {
            if (!f.module().equals(name)) {
                throw new IllegalArgumentException("host function " + f + " is not in module '" + name + "'");
            }
        }
        return new HostModuleDef() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<HostFunctionDef> functions() {
                return copy;
            }
        };
    }
}
