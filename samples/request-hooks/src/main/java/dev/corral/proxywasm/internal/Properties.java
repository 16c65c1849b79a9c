package dev.corral.proxywasm.internal;

import dev.corral.proxywasm.HttpFields;
import dev.corral.proxywasm.Request;
import dev.corral.proxywasm.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code proxy_get_property} / {@code proxy_set_property}: the well-known properties the Go and Rust
 * SDKs ask for, encoded as Envoy does (strings as bytes, integers as 8-byte little-endian, booleans
 * as one byte, timestamps as nanoseconds, header maps serialized), plus whatever the filter set.
 * A path is NUL-separated ({@code request\0path}); a dotted single segment ({@code request.path}) is
 * accepted too.
 */
final class Properties {
    private Properties() {}

    static String path(byte[] raw) {
        String p = new String(raw, StandardCharsets.UTF_8);
        if (p.indexOf('\0') < 0) {
            return p;
        }
        return p.replace('\0', '.');
    }

    static int set(VmState vm, String path, byte[] value) {
        StreamState s = vm.stream();
        if (s == null) {
            return Abi.NOT_FOUND;
        }
        if (s.properties.size() >= 256 && !s.properties.containsKey(path)) {
            return Abi.BAD_ARGUMENT;
        }
        s.properties.put(path, value);
        return Abi.OK;
    }

    static byte[] get(VmState vm, String path) {
        FilterHost host = vm.host;
        switch (path) {
            case "plugin_name": return utf8(host.name);
            case "plugin_root_id": return utf8(host.rootId);
            case "plugin_vm_id": return utf8(host.vmId);
            default: break;
        }
        StreamState s = vm.stream();
        if (s == null) {
            return null;
        }
        byte[] own = s.properties.get(path);
        if (own != null) {
            return own;
        }
        Request r = s.request;
        Response resp = s.response;
        switch (path) {
            case "request.path": return latin1(r.path());
            case "request.url_path": {
                int q = r.path().indexOf('?');
                return latin1(q < 0 ? r.path() : r.path().substring(0, q));
            }
            case "request.query": {
                int q = r.path().indexOf('?');
                return latin1(q < 0 ? "" : r.path().substring(q + 1));
            }
            case "request.host": return latin1(r.authority());
            case "request.scheme": return latin1(r.scheme());
            case "request.method": return latin1(r.method());
            case "request.protocol": return latin1(r.protocol());
            case "request.headers": return Pairs.serialize(pairs(r.headers()));
            case "request.referer": return header(r.headers(), "referer");
            case "request.useragent": return header(r.headers(), "user-agent");
            case "request.id": return header(r.headers(), "x-request-id");
            case "request.time": return int64(s.startEpochNanos);
            case "request.duration": return int64(System.nanoTime() - s.startNanos);
            case "request.size": return int64(r.body().length);
            case "request.total_size": return int64(r.body().length + Pairs.serializedSize(pairs(r.headers())));
            case "source.address": return utf8(r.sourceAddress() + ":" + r.sourcePort());
            case "source.port": return int64(r.sourcePort());
            case "destination.address": return utf8(r.destinationAddress() + ":" + r.destinationPort());
            case "destination.port": return int64(r.destinationPort());
            case "connection.mtls": return new byte[] {0};
            case "response.code": return resp == null ? null : int64(resp.status());
            case "response.code_details": return resp == null ? null : utf8(resp.details());
            case "response.headers": return resp == null ? null : Pairs.serialize(pairs(resp.headers()));
            case "response.trailers": return resp == null ? null : Pairs.serialize(pairs(resp.trailers()));
            case "response.size": return resp == null ? null : int64(resp.body().length);
            case "response.total_size":
                return resp == null ? null : int64(resp.body().length + Pairs.serializedSize(pairs(resp.headers())));
            default: return null;
        }
    }

    static List<String[]> pairs(HttpFields f) {
        List<String[]> out = new ArrayList<>(f.size());
        for (int i = 0; i < f.size(); i++) {
            out.add(new String[] {f.name(i), f.value(i)});
        }
        return out;
    }

    private static byte[] header(HttpFields f, String name) {
        String v = f.get(name);
        return v == null ? null : latin1(v);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] int64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
