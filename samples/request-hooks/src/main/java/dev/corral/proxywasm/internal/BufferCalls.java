package dev.corral.proxywasm.internal;

import static dev.corral.proxywasm.internal.HostFunctions.fn;

import dev.corral.spi.HostFunctionDef;
import java.util.List;

/**
 * {@code proxy_get_buffer_bytes}, {@code proxy_set_buffer_bytes}, {@code proxy_get_buffer_status}:
 * the request and response body buffered for the running body callback (and for as long as the
 * stream is paused), and the VM and plugin configuration (read-only). Setting splices: prepend
 * ({@code start=0, size=0}), append ({@code start} at or past the end), or replace a range. A body
 * may not grow past the filter's body limit ({@code BAD_ARGUMENT}).
 */
final class BufferCalls {
    private BufferCalls() {}

    static void add(List<HostFunctionDef> out, VmState vm) {
        FilterHost host = vm.host;
        out.add(fn("proxy_get_buffer_bytes", 5, (c, a) -> {
            int type = (int) a[0];
            long start = Integer.toUnsignedLong((int) a[1]);
            long max = Integer.toUnsignedLong((int) a[2]);
            byte[] data;
            if (type == Abi.VM_CONFIGURATION || type == Abi.PLUGIN_CONFIGURATION) {
                byte[] conf = type == Abi.VM_CONFIGURATION ? host.vmConfig : host.pluginConfig;
                if (start > conf.length) {
                    return Abi.BAD_ARGUMENT;
                }
                int len = (int) Math.min(max, conf.length - start);
                data = java.util.Arrays.copyOfRange(conf, (int) start, (int) start + len);
            } else {
                ByteBuf b = body(vm, type);
                if (start > b.size()) {
                    return Abi.BAD_ARGUMENT;
                }
                data = b.range((int) start, (int) Math.min(max, b.size() - start));
            }
            GuestIo.give(c, vm, data, a[3], a[4]);
            return Abi.OK;
        }));
        out.add(fn("proxy_set_buffer_bytes", 5, (c, a) -> {
            int type = (int) a[0];
            if (type == Abi.VM_CONFIGURATION || type == Abi.PLUGIN_CONFIGURATION) {
                return Abi.BAD_ARGUMENT;
            }
            ByteBuf b = body(vm, type);
            long start = Integer.toUnsignedLong((int) a[1]);
            long size = Integer.toUnsignedLong((int) a[2]);
            long len = Integer.toUnsignedLong((int) a[4]);
            long kept = b.size() - Math.max(0, Math.min(start + size, b.size()) - Math.min(start, b.size()));
            if (kept + len > host.maxBodyBytes) {
                return Abi.BAD_ARGUMENT;
            }
            byte[] value = GuestIo.read(c, a[3], len, host.maxBodyBytes);
            b.splice(start, size, value);
            return Abi.OK;
        }));
        out.add(fn("proxy_get_buffer_status", 3, (c, a) -> {
            int type = (int) a[0];
            int size;
            if (type == Abi.VM_CONFIGURATION) {
                size = host.vmConfig.length;
            } else if (type == Abi.PLUGIN_CONFIGURATION) {
                size = host.pluginConfig.length;
            } else {
                size = body(vm, type).size();
            }
            GuestIo.writeInt(c, a[1], size);
            GuestIo.writeInt(c, a[2], 0);
            return Abi.OK;
        }));
    }

    private static ByteBuf body(VmState vm, int type) throws GuestIo.Status {
        if (type < Abi.HTTP_REQUEST_BODY || type > Abi.FOREIGN_FUNCTION_ARGUMENTS) {
            throw GuestIo.BAD_ARGUMENT;
        }
        StreamState s = vm.stream();
        ByteBuf b = null;
        if (s != null && type == Abi.HTTP_REQUEST_BODY) {
            b = s.requestBody;
        } else if (s != null && type == Abi.HTTP_RESPONSE_BODY) {
            b = s.responseBody;
        }
        if (b == null) {
            throw GuestIo.NOT_FOUND;
        }
        return b;
    }
}
