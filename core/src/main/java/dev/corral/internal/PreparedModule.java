package dev.corral.internal;

import dev.corral.PluginModule;
import dev.corral.PluginPolicy;

/**
 * A module linked against one policy, once (Wasmtime's {@code InstancePre}): imports resolved,
 * signatures and host modules checked, limits computed. {@link #instantiate} then only creates
 * state. Thread-safe.
 */
public interface PreparedModule {
    PluginModule module();

    PluginPolicy policy();

    default ManagedPlugin instantiate() {
        return instantiate(null);
    }

    /**
     * A new instance; {@code initializer} (nullable) runs after the start function and
     * {@code _initialize}, all under the policy's initialization limits.
     */
    ManagedPlugin instantiate(java.util.function.Consumer<? super dev.corral.Plugin> initializer);

    /** Implemented by every module Corral loads. */
    interface Preparer {
        PreparedModule prepare(PluginPolicy policy);
    }

    static PreparedModule prepare(PluginModule module, PluginPolicy policy) {
        if (!(module instanceof Preparer)) {
            throw new IllegalArgumentException("not a module loaded by Corral: " + module);
        }
        return ((Preparer) module).prepare(policy);
    }
}
