package dev.corral.spi;

import dev.corral.PluginModule;
import dev.corral.internal.events.Events;
import java.util.List;

/**
 * Something a host grants to plugins through {@code PluginPolicy.Builder.grant}: a set of host
 * modules plus their configuration. Unlike a plain {@link HostModuleDef}, a capability is bound once
 * per plugin instance, so each instance gets its own state (open files, buffers, counters).
 *
 * <p>A capability object is part of a policy and must be thread-safe: {@link #bind} may run on any
 * thread. It may refuse a module by throwing, e.g. an {@code UnlinkableModuleException} listing the
 * imports its configuration does not cover.
 */
@FunctionalInterface
public interface Capability {
    /**
     * Called when a plugin of {@code module} is instantiated, before its imports are linked. Also
     * called once when the module is linked against a policy (once per module and policy, not per
     * instance), to learn which functions the binding provides; that binding is closed at once
     * without being used. A capability must provide the same functions on every bind.
     */
    Binding bind(PluginModule module);

    /**
     * Tells the operator that a plugin asked for something its grants do not cover: a JFR event
     * {@code dev.corral.CapabilityDenied} (module, capability, function, reason) when a recording
     * has it enabled, nothing otherwise. Call it where the denial is counted or logged.
     */
    static void reportDenial(String module, String capability, String function, String reason) {
        Events.denied(module, capability, function, reason);
    }

    /** One instance's share of a capability; closed with the plugin. */
    interface Binding extends AutoCloseable {
        /** The host modules this instance links against (each takes part in linking like a granted one). */
        List<HostModuleDef> hostModules();

        /**
         * Captures this instance's share of state, so that {@code Plugin.snapshot()} and pools
         * (which restore a snapshot on every return) can put it back: open descriptors, buffers,
         * stream positions, counters a guest can observe. Called between calls, on the plugin's
         * thread. The default has nothing to capture: override it when the binding holds state
         * that one borrower of a pooled plugin must not see from the previous one.
         */
        default Snapshot snapshot() {
            return Snapshot.NONE;
        }

        /** Releases what the instance held (files, buffers); must not throw, and may be called twice. */
        @Override
        default void close() {}
    }

    /**
     * A binding's state at one moment. {@link #restore} puts the binding back to it; it may be
     * called any number of times, and in any order with other snapshots of the same binding (a
     * pool restores one snapshot on every return; a game rolls back to the start of each tick).
     */
    @FunctionalInterface
    interface Snapshot {
        /** For bindings without state of their own. */
        Snapshot NONE = () -> {};

        /** Puts the binding back to the state it had when this snapshot was taken; must not throw. */
        void restore();
    }
}
