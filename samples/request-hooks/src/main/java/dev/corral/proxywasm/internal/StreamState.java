package dev.corral.proxywasm.internal;

import dev.corral.proxywasm.Request;
import dev.corral.proxywasm.Response;
import java.util.HashMap;
import java.util.Map;

/**
 * One HTTP stream inside one VM: the request and response as this filter sees them, the body
 * chunk being delivered, what the filter asked for (a local reply, a resume, a close), and the
 * properties it set. Touched only by the thread that holds the VM.
 */
public final class StreamState {
    public final int contextId;
    public final Request request;
    public Response response;
    /** The body bytes buffered for the running body callback (request or response phase), or null. */
    public ByteBuf requestBody;
    public ByteBuf responseBody;
    public Response localReply;
    public boolean resumedRequest;
    public boolean resumedResponse;
    public boolean closed;
    public boolean inResponse;
    public final long startNanos = System.nanoTime();
    public final long startEpochNanos;
    final Map<String, byte[]> properties = new HashMap<>();

    public StreamState(int contextId, Request request, long startEpochNanos) {
        this.contextId = contextId;
        this.request = request;
        this.startEpochNanos = startEpochNanos;
    }
}
