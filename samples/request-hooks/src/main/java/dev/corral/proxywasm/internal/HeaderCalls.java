package dev.corral.proxywasm.internal;

import static dev.corral.proxywasm.internal.HostFunctions.fn;

import dev.corral.proxywasm.AbiVersion;
import dev.corral.proxywasm.HttpFields;
import dev.corral.proxywasm.Request;
import dev.corral.proxywasm.Response;
import dev.corral.spi.HostFunctionDef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header-map functions on request and response headers and trailers, pseudo-headers
 * included ({@code :method}, {@code :path}, {@code :authority}, {@code :scheme}; {@code :status}).
 * Names are case-insensitive (stored in lower case). A field that could split a header line (CR,
 * LF, NUL) or a map that would grow past the filter's header limit is refused with
 * {@code BAD_ARGUMENT} and leaves the map unchanged. gRPC and outbound-call maps do not exist here
 * ({@code NOT_FOUND}).
 */
final class HeaderCalls {
    private HeaderCalls() {}

    static void add(List<HostFunctionDef> out, VmState vm) {
        int max = vm.host.maxHeaderBytes;
        out.add(fn("proxy_get_header_map_pairs", 3, (c, a) -> {
            GuestIo.give(c, vm, Pairs.serialize(view(vm, a[0]).pairs()), a[1], a[2]);
            return Abi.OK;
        }));
        out.add(fn("proxy_get_header_map_size", 2, (c, a) -> {
            GuestIo.writeInt(c, a[1], Pairs.serializedSize(view(vm, a[0]).pairs()));
            return Abi.OK;
        }));
        out.add(fn("proxy_set_header_map_pairs", 3, (c, a) -> {
            MapView m = view(vm, a[0]);
            byte[] raw = GuestIo.read(c, a[1], Integer.toUnsignedLong((int) a[2]), max);
            List<String[]> pairs;
            try {
                pairs = Pairs.parse(raw);
            } catch (IllegalArgumentException e) {
                return Abi.BAD_ARGUMENT;
            }
            for (String[] p : pairs) {
                p[0] = p[0].toLowerCase(Locale.ROOT);
                if (!validField(p[0], p[1]) || (p[0].startsWith(":") && !m.pseudoValid(p[0], p[1]))) {
                    return Abi.BAD_ARGUMENT;
                }
            }
            m.setAll(pairs);
            return Abi.OK;
        }));
        out.add(fn("proxy_get_header_map_value", 5, (c, a) -> {
            MapView m = view(vm, a[0]);
            String key = GuestIo.readLatin1(c, a[1], Integer.toUnsignedLong((int) a[2]), max).toLowerCase(Locale.ROOT);
            String v = m.get(key);
            if (v == null) {
                if (vm.host.abi != AbiVersion.V0_1_0) {
                    return Abi.NOT_FOUND;
                }
                v = ""; // 0.1.0 answered OK with an empty value
            }
            GuestIo.give(c, vm, v.getBytes(StandardCharsets.ISO_8859_1), a[3], a[4]);
            return Abi.OK;
        }));
        out.add(fn("proxy_add_header_map_value", 5, (c, a) -> change(c, vm, a, false)));
        out.add(fn("proxy_replace_header_map_value", 5, (c, a) -> change(c, vm, a, true)));
        out.add(fn("proxy_remove_header_map_value", 3, (c, a) -> {
            MapView m = view(vm, a[0]);
            String key = GuestIo.readLatin1(c, a[1], Integer.toUnsignedLong((int) a[2]), max).toLowerCase(Locale.ROOT);
            if (!key.startsWith(":")) { // pseudo-headers cannot be removed: the request would not be HTTP any more
                m.fields.remove(key);
            }
            return Abi.OK;
        }));
    }

    private static int change(dev.corral.spi.HostContext c, VmState vm, long[] a, boolean replace) throws GuestIo.Status {
        int max = vm.host.maxHeaderBytes;
        MapView m = view(vm, a[0]);
        long keyLen = Integer.toUnsignedLong((int) a[2]);
        long valueLen = Integer.toUnsignedLong((int) a[4]);
        if (keyLen + valueLen > max) { // refuse before copying anything out of the guest
            return Abi.BAD_ARGUMENT;
        }
        String key = GuestIo.readLatin1(c, a[1], keyLen, max).toLowerCase(Locale.ROOT);
        String value = GuestIo.readLatin1(c, a[3], valueLen, max);
        if (!validField(key, value)) {
            return Abi.BAD_ARGUMENT;
        }
        if (key.startsWith(":")) {
            if (!m.pseudoValid(key, value)) {
                return Abi.BAD_ARGUMENT;
            }
            m.setPseudo(key, value);
            return Abi.OK;
        }
        int old = 0;
        if (replace) {
            for (String v : m.fields.getAll(key)) {
                old += 8 + key.length() + 2 + v.length();
            }
        }
        if (Pairs.serializedSize(m.pairs()) - old + 8 + key.length() + 2 + value.length() > max) {
            return Abi.BAD_ARGUMENT;
        }
        if (replace) {
            m.fields.set(key, value);
        } else {
            m.fields.add(key, value);
        }
        return Abi.OK;
    }

    /** A header name a line parser would accept, and a value that cannot split or end the line. */
    static boolean validField(String name, String value) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch <= 0x20 || ch >= 0x7f || (ch == ':' && i > 0)) {
                return false;
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\r' || ch == '\n' || ch == 0) {
                return false;
            }
        }
        return true;
    }

    private static MapView view(VmState vm, long type) throws GuestIo.Status {
        int t = (int) type;
        if (t < Abi.HTTP_REQUEST_HEADERS || t > Abi.HTTP_CALL_RESPONSE_TRAILERS) {
            throw GuestIo.BAD_ARGUMENT;
        }
        StreamState s = vm.stream();
        if (s == null) {
            throw GuestIo.NOT_FOUND;
        }
        switch (t) {
            case Abi.HTTP_REQUEST_HEADERS: return new RequestHeaders(s.request);
            case Abi.HTTP_REQUEST_TRAILERS: return new MapView(s.request.trailers());
            case Abi.HTTP_RESPONSE_HEADERS:
                if (s.response == null) {
                    throw GuestIo.NOT_FOUND;
                }
                return new ResponseHeaders(s.response);
            case Abi.HTTP_RESPONSE_TRAILERS:
                if (s.response == null) {
                    throw GuestIo.NOT_FOUND;
                }
                return new MapView(s.response.trailers());
            default: throw GuestIo.NOT_FOUND;
        }
    }

    /** A header map as the ABI sees it: pseudo-headers first, then the fields. */
    private static class MapView {
        final HttpFields fields;

        MapView(HttpFields fields) {
            this.fields = fields;
        }

        List<String[]> pseudo() {
            return List.of();
        }

        List<String[]> pairs() {
            List<String[]> out = new ArrayList<>(pseudo());
            out.addAll(Properties.pairs(fields));
            return out;
        }

        String get(String key) {
            for (String[] p : pseudo()) {
                if (p[0].equals(key)) {
                    return p[1];
                }
            }
            return fields.get(key);
        }

        boolean pseudoValid(String key, String value) {
            return false;
        }

        void setPseudo(String key, String value) {}

        void setAll(List<String[]> pairs) {
            fields.clear();
            for (String[] p : pairs) {
                if (p[0].startsWith(":")) {
                    setPseudo(p[0], p[1]);
                } else {
                    fields.add(p[0], p[1]);
                }
            }
        }
    }

    private static final class RequestHeaders extends MapView {
        private final Request r;

        RequestHeaders(Request r) {
            super(r.headers());
            this.r = r;
        }

        @Override
        List<String[]> pseudo() {
            return List.of(new String[] {":method", r.method()}, new String[] {":path", r.path()},
                    new String[] {":authority", r.authority()}, new String[] {":scheme", r.scheme()});
        }

        @Override
        boolean pseudoValid(String key, String value) {
            switch (key) {
                case ":method":
                case ":scheme":
                    return !value.isEmpty() && value.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f);
                case ":path":
                    return (value.startsWith("/") || value.equals("*")) && value.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f);
                case ":authority":
                    return value.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f);
                default:
                    return false;
            }
        }

        @Override
        void setPseudo(String key, String value) {
            switch (key) {
                case ":method": r.method(value); break;
                case ":path": r.path(value); break;
                case ":authority": r.authority(value); break;
                default: r.scheme(value); break;
            }
        }
    }

    private static final class ResponseHeaders extends MapView {
        private final Response r;

        ResponseHeaders(Response r) {
            super(r.headers());
            this.r = r;
        }

        @Override
        List<String[]> pseudo() {
            return List.<String[]>of(new String[] {":status", Integer.toString(r.status())});
        }

        @Override
        boolean pseudoValid(String key, String value) {
            return key.equals(":status") && value.matches("[1-9][0-9]{2}");
        }

        @Override
        void setPseudo(String key, String value) {
            r.status(Integer.parseInt(value));
        }
    }
}
