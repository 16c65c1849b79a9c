package dev.corral.proxywasm.internal;

import static dev.corral.proxywasm.internal.HostFunctions.fn;

import dev.corral.FunctionSignature;
import dev.corral.ValueType;
import dev.corral.proxywasm.Response;
import dev.corral.spi.HostFunctionDef;
import java.util.List;

/**
 * Logging, time, ticks, contexts and stream control: {@code proxy_log}, {@code proxy_get_log_level},
 * {@code proxy_get_current_time_nanoseconds}, {@code proxy_set_tick_period_milliseconds},
 * {@code proxy_set_effective_context}, {@code proxy_done}, {@code proxy_continue_stream},
 * {@code proxy_close_stream} (and 0.1.0's {@code proxy_continue_request/response},
 * {@code proxy_clear_route_cache}, {@code proxy_get_configuration}), {@code proxy_send_local_response},
 * {@code proxy_get_status}, the properties, and emscripten's two {@code env} imports.
 */
final class ContextCalls {
    /** Longest log message kept; longer ones are cut (a filter cannot flood the host's log lines). */
    static final int MAX_LOG_BYTES = 16 * 1024;
    static final int MAX_DETAILS_BYTES = 1024;

    private ContextCalls() {}

    static void add(List<HostFunctionDef> out, VmState vm) {
        FilterHost host = vm.host;
        out.add(fn("proxy_log", 3, (c, a) -> {
            int level = (int) a[0];
            if (level < Abi.LOG_TRACE || level > Abi.LOG_CRITICAL) {
                return Abi.BAD_ARGUMENT;
            }
            long len = Integer.toUnsignedLong((int) a[2]);
            GuestIo.checkRange(c, a[1], len); // a message running past the memory is refused, not cut
            byte[] msg = GuestIo.read(c, a[1], Math.min(len, MAX_LOG_BYTES), MAX_LOG_BYTES);
            String text = new String(msg, java.nio.charset.StandardCharsets.UTF_8) + (len > MAX_LOG_BYTES ? "…" : "");
            host.log(Abi.level(level), text);
            return Abi.OK;
        }));
        out.add(fn("proxy_get_log_level", 1, (c, a) -> {
            GuestIo.writeInt(c, a[0], host.abiLogLevel());
            return Abi.OK;
        }));
        out.add(fn("proxy_get_current_time_nanoseconds", 1, (c, a) -> {
            GuestIo.writeLong(c, a[0], host.clock.realtimeNanos());
            return Abi.OK;
        }));
        out.add(fn("proxy_set_tick_period_milliseconds", 1, (c, a) -> {
            host.tickPeriodMillis.set(Integer.toUnsignedLong((int) a[0]));
            return Abi.OK;
        }));
        out.add(fn("proxy_set_effective_context", 1, (c, a) -> {
            int id = (int) a[0];
            if (!vm.knows(id)) {
                return Abi.BAD_ARGUMENT;
            }
            vm.enter(id);
            return Abi.OK;
        }));
        out.add(fn("proxy_done", 0, (c, a) -> vm.pendingDone.remove(vm.effectiveContext) ? Abi.OK : Abi.NOT_FOUND));
        out.add(fn("proxy_continue_stream", 1, (c, a) -> resume(vm, (int) a[0])));
        out.add(fn("proxy_continue_request", 0, (c, a) -> resume(vm, Abi.STREAM_HTTP_REQUEST)));
        out.add(fn("proxy_continue_response", 0, (c, a) -> resume(vm, Abi.STREAM_HTTP_RESPONSE)));
        out.add(fn("proxy_clear_route_cache", 0, (c, a) -> Abi.OK));
        out.add(fn("proxy_close_stream", 1, (c, a) -> {
            int type = (int) a[0];
            if (type < Abi.STREAM_HTTP_REQUEST || type > Abi.STREAM_UPSTREAM) {
                return Abi.BAD_ARGUMENT;
            }
            StreamState s = vm.stream();
            if (s == null) {
                return Abi.NOT_FOUND;
            }
            s.closed = true;
            return Abi.OK;
        }));
        out.add(fn("proxy_get_configuration", 2, (c, a) -> {
            byte[] conf = vm.configurationBuffer == Abi.VM_CONFIGURATION ? host.vmConfig : host.pluginConfig;
            GuestIo.give(c, vm, conf, a[0], a[1]);
            return Abi.OK;
        }));
        out.add(fn("proxy_send_local_response", 8, (c, a) -> {
            int status = (int) a[0];
            String details = GuestIo.readUtf8(c, a[1], Integer.toUnsignedLong((int) a[2]), MAX_DETAILS_BYTES);
            byte[] body = GuestIo.read(c, a[3], Integer.toUnsignedLong((int) a[4]), host.maxBodyBytes);
            byte[] pairs = GuestIo.read(c, a[5], Integer.toUnsignedLong((int) a[6]), host.maxHeaderBytes);
            StreamState s = vm.stream();
            if (s == null) {
                return Abi.NOT_FOUND;
            }
            if (status < 100 || status > 599) {
                return Abi.BAD_ARGUMENT;
            }
            var reply = new Response(status).body(body).details(details.isEmpty() ? "local_reply" : details);
            try {
                for (String[] p : Pairs.parse(pairs)) {
                    if (!HeaderCalls.validField(p[0], p[1]) || p[0].startsWith(":")) {
                        return Abi.BAD_ARGUMENT;
                    }
                    reply.headers().add(p[0], p[1]);
                }
            } catch (IllegalArgumentException e) {
                return Abi.BAD_ARGUMENT;
            }
            s.localReply = reply;
            return Abi.OK;
        }));
        out.add(fn("proxy_get_status", 3, (c, a) -> Abi.NOT_FOUND)); // only meaningful for outbound calls, which are denied
        out.add(fn("proxy_get_property", 4, (c, a) -> {
            byte[] path = GuestIo.read(c, a[0], Integer.toUnsignedLong((int) a[1]), 4096);
            byte[] value = Properties.get(vm, Properties.path(path));
            if (value == null) {
                return Abi.NOT_FOUND;
            }
            GuestIo.give(c, vm, value, a[2], a[3]);
            return Abi.OK;
        }));
        out.add(fn("proxy_set_property", 4, (c, a) -> {
            byte[] path = GuestIo.read(c, a[0], Integer.toUnsignedLong((int) a[1]), 4096);
            byte[] value = GuestIo.read(c, a[2], Integer.toUnsignedLong((int) a[3]), host.maxHeaderBytes);
            return Properties.set(vm, Properties.path(path), value);
        }));
        // emscripten (C++ SDK) and its pthread shim: nothing to do for a single-threaded VM
        out.add(HostFunctions.voidFn("emscripten_notify_memory_growth", 1, (c, a) -> new long[0]));
        out.add(HostFunctionDef.of(HostFunctions.ENV, "pthread_equal",
                FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of(ValueType.I32)),
                (c, a) -> new long[] {(int) a[0] == (int) a[1] ? 1 : 0}));
    }

    private static int resume(VmState vm, int type) {
        StreamState s = vm.stream();
        if (type == Abi.STREAM_DOWNSTREAM || type == Abi.STREAM_UPSTREAM) {
            return Abi.UNIMPLEMENTED; // no TCP streams in an HTTP filter
        }
        if (type != Abi.STREAM_HTTP_REQUEST && type != Abi.STREAM_HTTP_RESPONSE) {
            return Abi.BAD_ARGUMENT;
        }
        if (s == null) {
            return Abi.NOT_FOUND;
        }
        if (type == Abi.STREAM_HTTP_REQUEST) {
            s.resumedRequest = true;
        } else {
            s.resumedResponse = true;
        }
        return Abi.OK;
    }

}
