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

    ManagedPlugin instantiate();

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
