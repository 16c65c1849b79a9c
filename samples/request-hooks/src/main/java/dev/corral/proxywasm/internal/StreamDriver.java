package dev.corral.proxywasm.internal;

import dev.corral.proxywasm.FaultKind;
import dev.corral.proxywasm.Request;
import dev.corral.proxywasm.Response;
import java.io.ByteArrayOutputStream;

/**
 * Drives one stream through one VM's callbacks, Envoy-style: headers (with {@code end_of_stream}),
 * then the body in chunks, then trailers; a callback returning anything but CONTINUE pauses the
 * stream, and the bytes of a paused body keep accumulating in the buffer the filter sees (so a
 * filter can wait for the end of the stream and rewrite the whole body). A local reply ends the
 * phase. A stream still paused when its last chunk has been delivered waits for a
 * {@code proxy_continue_stream} from the VM's ticks, up to the pause timeout, then is STALLED.
 */
final class StreamDriver {
    private final Vm vm;
    private final StreamState s;
    private final int chunkBytes;
    private final long pauseTimeoutNanos;
    private final Runnable onTick;

    StreamDriver(Vm vm, StreamState s, int chunkBytes, long pauseTimeoutNanos, Runnable onTick) {
        this.vm = vm;
        this.s = s;
        this.chunkBytes = chunkBytes;
        this.pauseTimeoutNanos = pauseTimeoutNanos;
        this.onTick = onTick;
    }

    private boolean stopped() {
        return s.localReply != null || s.closed;
    }

    private long headers(String callback, int count, boolean eos) {
        if (vm.shape.abi.headersHaveEndOfStream()) {
            return vm.call(callback, s.contextId, count, eos ? 1 : 0);
        }
        return vm.call(callback, s.contextId, count);
    }

    /** Runs the request callbacks; returns false if the stream stopped (local reply or close). */
    boolean request() {
        Request r = s.request;
        boolean hasBody = r.body().length > 0;
        boolean hasTrailers = !r.trailers().isEmpty();
        boolean paused = false;
        if (vm.shape.has("proxy_on_request_headers")) {
            long action = headers("proxy_on_request_headers", 4 + r.headers().size(), !hasBody && !hasTrailers);
            if (stopped()) {
                return false;
            }
            paused = action != Abi.CONTINUE && !s.resumedRequest;
            s.resumedRequest = false;
        }
        if (hasBody) {
            s.requestBody = new ByteBuf(new byte[0]);
            ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
            byte[] body = r.body();
            for (int off = 0; off < body.length; off += chunkBytes) {
                int len = Math.min(chunkBytes, body.length - off);
                s.requestBody.append(java.util.Arrays.copyOfRange(body, off, off + len));
                boolean eos = off + len >= body.length && !hasTrailers;
                if (vm.shape.has("proxy_on_request_body")) {
                    long action = vm.call("proxy_on_request_body", s.contextId, s.requestBody.size(), eos ? 1 : 0);
                    if (stopped()) {
                        return false;
                    }
                    paused = action != Abi.CONTINUE && !s.resumedRequest;
                    s.resumedRequest = false;
                } else if (paused) {
                    continue; // headers paused the stream: the body waits in the buffer
                }
                if (!paused) {
                    forwarded.writeBytes(s.requestBody.bytes());
                    s.requestBody.clear();
                }
            }
            if (paused) {
                if (!waitForResume(true)) {
                    return false;
                }
                paused = false;
            }
            forwarded.writeBytes(s.requestBody.bytes());
            r.body(forwarded.toByteArray());
            s.requestBody = null;
        }
        if (hasTrailers && vm.shape.has("proxy_on_request_trailers")) {
            long action = vm.call("proxy_on_request_trailers", s.contextId, r.trailers().size());
            if (stopped()) {
                return false;
            }
            paused = action != Abi.CONTINUE && !s.resumedRequest;
            s.resumedRequest = false;
        }
        return !paused || waitForResume(true);
    }

    /** Runs the response callbacks on {@code s.response}; returns false if a local reply replaced it. */
    boolean response() {
        s.inResponse = true;
        Response r = s.response;
        boolean hasBody = r.body().length > 0;
        boolean hasTrailers = !r.trailers().isEmpty();
        boolean paused = false;
        if (vm.shape.has("proxy_on_response_headers")) {
            long action = headers("proxy_on_response_headers", 1 + r.headers().size(), !hasBody && !hasTrailers);
            if (stopped()) {
                return false;
            }
            paused = action != Abi.CONTINUE && !s.resumedResponse;
            s.resumedResponse = false;
        }
        if (hasBody) {
            s.responseBody = new ByteBuf(new byte[0]);
            ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
            byte[] body = r.body();
            for (int off = 0; off < body.length; off += chunkBytes) {
                int len = Math.min(chunkBytes, body.length - off);
                s.responseBody.append(java.util.Arrays.copyOfRange(body, off, off + len));
                boolean eos = off + len >= body.length && !hasTrailers;
                if (vm.shape.has("proxy_on_response_body")) {
                    long action = vm.call("proxy_on_response_body", s.contextId, s.responseBody.size(), eos ? 1 : 0);
                    if (stopped()) {
                        return false;
                    }
                    paused = action != Abi.CONTINUE && !s.resumedResponse;
                    s.resumedResponse = false;
                } else if (paused) {
                    continue;
                }
                if (!paused) {
                    forwarded.writeBytes(s.responseBody.bytes());
                    s.responseBody.clear();
                }
            }
            if (paused) {
                if (!waitForResume(false)) {
                    return false;
                }
                paused = false;
            }
            forwarded.writeBytes(s.responseBody.bytes());
            r.body(forwarded.toByteArray());
            s.responseBody = null;
        }
        if (hasTrailers && vm.shape.has("proxy_on_response_trailers")) {
            long action = vm.call("proxy_on_response_trailers", s.contextId, r.trailers().size());
            if (stopped()) {
                return false;
            }
            paused = action != Abi.CONTINUE && !s.resumedResponse;
            s.resumedResponse = false;
        }
        return !paused || waitForResume(false);
    }

    /**
     * The stream is paused with nothing more to deliver: only the VM's own ticks can resume it
     * (outbound calls, which usually do, are denied). Ticks it at the filter's period until it is
     * resumed or replied to; STALLED after the pause timeout, or at once without ticks.
     */
    private boolean waitForResume(boolean request) {
        long deadline = System.nanoTime() + pauseTimeoutNanos;
        while (true) {
            if (stopped()) {
                return false;
            }
            if (request ? s.resumedRequest : s.resumedResponse) {
                if (request) {
                    s.resumedRequest = false;
                } else {
                    s.resumedResponse = false;
                }
                return true;
            }
            long period = vm.state.host.tickPeriodMillis.get();
            long left = deadline - System.nanoTime();
            if (period <= 0 || !vm.shape.has("proxy_on_tick") || left <= 0) {
                throw new VmFault(FaultKind.STALLED, request ? "proxy_on_request_*" : "proxy_on_response_*",
                        "the filter paused the " + (request ? "request" : "response")
                                + " and did not resume it" + (period <= 0 ? " (no tick could resume it)" : " within the pause timeout"), null);
            }
            try {
                Thread.sleep(Math.max(1, Math.min(period, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmFault(FaultKind.STALLED, "pause", "interrupted while the stream was paused", e);
            }
            vm.tick();
            onTick.run();
        }
    }

    /** Ends the stream in the VM: done, log, delete (a stream whose done is deferred is not waited for). */
    void finish() {
        if (vm.shape.has("proxy_on_done") && vm.call("proxy_on_done", s.contextId) == 0) {
            vm.state.markPendingDone(s.contextId);
        }
        if (vm.shape.has("proxy_on_log")) {
            vm.call("proxy_on_log", s.contextId);
        }
        if (vm.shape.has("proxy_on_delete")) {
            vm.call("proxy_on_delete", s.contextId);
        }
    }
}
