package dev.corral.spi;

import dev.corral.PluginModule;
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
    /** Called when a plugin of {@code module} is instantiated, before its imports are linked. */
    Binding bind(PluginModule module);

    /** One instance's share of a capability; closed with the plugin. */
    interface Binding extends AutoCloseable {
        /** The host modules this instance links against (each takes part in linking like a granted one). */
        List<HostModuleDef> hostModules();

        /** Releases what the instance held (files, buffers); must not throw, and may be called twice. */
        @Override
        default void close() {}
    }
}
