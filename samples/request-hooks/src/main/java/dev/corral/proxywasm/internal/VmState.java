package dev.corral.proxywasm.internal;

import dev.corral.PluginFunction;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The host's side of one VM: its streams, the effective context the host calls act on, and which
 * configuration a 0.1.0 {@code proxy_get_configuration} means right now. Touched only by the thread
 * that holds the VM (its host functions run on that thread).
 */
public final class VmState {
    public static final int ROOT_CONTEXT_ID = 1;

    public final FilterHost host;
    final Map<Integer, StreamState> streams = new HashMap<>();
    final Set<Integer> pendingDone = new HashSet<>();
    int effectiveContext = ROOT_CONTEXT_ID;
    /** Which configuration buffer {@code proxy_get_configuration} (0.1.0) returns now. */
    int configurationBuffer = Abi.PLUGIN_CONFIGURATION;
    final String allocExport;
    PluginFunction alloc;
    private int nextContextId = ROOT_CONTEXT_ID + 1;

    public VmState(FilterHost host, String allocExport) {
        this.host = host;
        this.allocExport = allocExport;
    }

    public StreamState newStream(dev.corral.proxywasm.Request request) {
        int id = nextContextId++;
        if (nextContextId <= ROOT_CONTEXT_ID) {
            nextContextId = ROOT_CONTEXT_ID + 1;
        }
        var s = new StreamState(id, request, host.clock.realtimeNanos());
        streams.put(id, s);
        return s;
    }

    public void endStream(StreamState s) {
        streams.remove(s.contextId);
        pendingDone.remove(s.contextId);
    }

    /** Back to no stream and the root context (a pool restoring the VM's snapshot). */
    void reset() {
        streams.clear();
        pendingDone.clear();
        effectiveContext = ROOT_CONTEXT_ID;
    }

    public void enter(int contextId) {
        effectiveContext = contextId;
    }

    public void enterConfiguration(int buffer) {
        configurationBuffer = buffer;
    }

    public void markPendingDone(int contextId) {
        pendingDone.add(contextId);
    }

    /** The stream the host calls act on, or null when the effective context is the root. */
    StreamState stream() {
        return streams.get(effectiveContext);
    }

    boolean knows(int contextId) {
        return contextId == ROOT_CONTEXT_ID || streams.containsKey(contextId);
    }
}
