package dev.corral.proxywasm;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An HTTP response as the filters see it: {@code :status}, headers, a fully buffered body and
 * trailers, plus the details Envoy calls {@code response.code_details} ({@code via_upstream}, or
 * what a filter's local reply said). Mutable, not thread-safe.
 */
public final class Response {
    private int status;
    private HttpFields headers = new HttpFields();
    private byte[] body = new byte[0];
    private HttpFields trailers = new HttpFields();
    private String details = "via_upstream";

    public Response(int status) {
        status(status);
    }

    public static Response of(int status, String contentType, String body) {
        var r = new Response(status);
        r.headers.add("content-type", contentType);
        r.body(body.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    public Response copy() {
        var r = new Response(status);
        r.headers = headers.copy();
        r.body = body;
        r.trailers = trailers.copy();
        r.details = details;
        return r;
    }

    public int status() {
        return status;
    }

    public Response status(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        this.status = status;
        return this;
    }

    public HttpFields headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public Response body(byte[] body) {
        this.body = Objects.requireNonNull(body, "body");
        return this;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public HttpFields trailers() {
        return trailers;
    }

    /** Why this response exists: {@code via_upstream}, or the details of a local reply. */
    public String details() {
        return details;
    }

    public Response details(String details) {
        this.details = Objects.requireNonNull(details, "details");
        return this;
    }

    @Override
    public String toString() {
        return status + " " + headers + " (" + body.length + " bytes)";
    }
}
