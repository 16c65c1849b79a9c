package dev.corral.proxywasm.internal;

import static dev.corral.proxywasm.internal.HostFunctions.fn;

import dev.corral.spi.HostFunctionDef;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Outbound calls, denied: a filter reaches no other service. Each answers with the status the spec
 * gives for an unknown upstream, so SDKs report an error instead of panicking ({@code proxy_http_call}:
 * {@code BAD_ARGUMENT}; {@code proxy_grpc_call} / {@code proxy_grpc_stream}: {@code PARSE_FAILURE};
 * an unknown call id: {@code NOT_FOUND}; a foreign function: {@code NOT_FOUND}). Each denial is
 * counted and logged at DEBUG.
 */
final class OutboundCalls {
    private OutboundCalls() {}

    static void add(List<HostFunctionDef> out, VmState vm) {
        FilterHost host = vm.host;
        out.add(fn("proxy_http_call", 10, (c, a) -> deny(host, "proxy_http_call", Abi.BAD_ARGUMENT)));
        out.add(fn("proxy_grpc_call", 12, (c, a) -> deny(host, "proxy_grpc_call", Abi.PARSE_FAILURE)));
        out.add(fn("proxy_grpc_stream", 9, (c, a) -> deny(host, "proxy_grpc_stream", Abi.PARSE_FAILURE)));
        out.add(fn("proxy_grpc_send", 4, (c, a) -> Abi.NOT_FOUND));
        out.add(fn("proxy_grpc_cancel", 1, (c, a) -> Abi.NOT_FOUND));
        out.add(fn("proxy_grpc_close", 1, (c, a) -> Abi.NOT_FOUND));
        out.add(fn("proxy_call_foreign_function", 6, (c, a) -> deny(host, "proxy_call_foreign_function", Abi.NOT_FOUND)));
    }

    private static int deny(FilterHost host, String what, int status) {
        host.deniedCalls.increment();
        if (host.logger.isLoggable(Level.DEBUG)) {
            host.log(Level.DEBUG, what + " denied: outbound calls are not granted to this filter");
        }
        return status;
    }
}
