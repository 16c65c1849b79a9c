package dev.corral.proxywasm;

import java.util.Objects;

/**
 * An HTTP request as the filters see it and the upstream receives it: the pseudo-headers
 * ({@code :method}, {@code :path} with its query, {@code :authority}, {@code :scheme}) as fields,
 * regular headers, a fully buffered body, trailers, and where the connection comes from and goes
 * to (for the {@code source.*} and {@code destination.*} properties). Mutable, not thread-safe.
 */
public final class Request {
    private String method;
    private String path;
    private String authority;
    private String scheme = "http";
    private String protocol = "HTTP/1.1";
    private HttpFields headers = new HttpFields();
    private byte[] body = new byte[0];
    private HttpFields trailers = new HttpFields();
    private String sourceAddress = "";
    private int sourcePort;
    private String destinationAddress = "";
    private int destinationPort;

    public Request(String method, String path) {
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.authority = "";
    }

    public Request copy() {
        var r = new Request(method, path);
        r.authority = authority;
        r.scheme = scheme;
        r.protocol = protocol;
        r.headers = headers.copy();
        r.body = body;
        r.trailers = trailers.copy();
        r.sourceAddress = sourceAddress;
        r.sourcePort = sourcePort;
        r.destinationAddress = destinationAddress;
        r.destinationPort = destinationPort;
        return r;
    }

    public String method() {
        return method;
    }

    public Request method(String method) {
        this.method = Objects.requireNonNull(method, "method");
        return this;
    }

    /** The path with its query string, e.g. {@code /a/b?x=1} ({@code :path}). */
    public String path() {
        return path;
    }

    public Request path(String path) {
        this.path = Objects.requireNonNull(path, "path");
        return this;
    }

    /** Host and port as the client asked for them ({@code :authority}). */
    public String authority() {
        return authority;
    }

    public Request authority(String authority) {
        this.authority = Objects.requireNonNull(authority, "authority");
        return this;
    }

    public String scheme() {
        return scheme;
    }

    public Request scheme(String scheme) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        return this;
    }

    /** {@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2}: the {@code request.protocol} property. */
    public String protocol() {
        return protocol;
    }

    public Request protocol(String protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        return this;
    }

    public HttpFields headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public Request body(byte[] body) {
        this.body = Objects.requireNonNull(body, "body");
        return this;
    }

    public HttpFields trailers() {
        return trailers;
    }

    public String sourceAddress() {
        return sourceAddress;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public Request source(String address, int port) {
        this.sourceAddress = Objects.requireNonNull(address, "address");
        this.sourcePort = port;
        return this;
    }

    public String destinationAddress() {
        return destinationAddress;
    }

    public int destinationPort() {
        return destinationPort;
    }

    public Request destination(String address, int port) {
        this.destinationAddress = Objects.requireNonNull(address, "address");
        this.destinationPort = port;
        return this;
    }

    @Override
    public String toString() {
        return method + " " + path + " " + headers;
    }
}
