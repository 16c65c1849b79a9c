package dev.corral.cli;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code corral serve --upstream URL}: forwards each (filtered) request to the upstream with the
 * JDK's HTTP client and answers with what it got back. Hop-by-hop headers are not forwarded; the
 * client's host goes along as {@code x-forwarded-host}.
 */
final class UpstreamServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Hop-by-hop, or set by the HTTP client itself (it refuses to take them from us). */
    private static final Set<String> SKIP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "te", "trailer", "upgrade", "host", "content-length", "expect", "http2-settings");

    private final URI base;
    private final transient HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();

    UpstreamServlet(URI base) {
        this.base = base;
    }

    static URI parse(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--upstream: '" + url + "' is not a URL");
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
            throw new UsageException("--upstream wants an http:// or https:// URL with a host, got '" + url + "'");
        }
        return u;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String basePath = base.getRawPath() == null || base.getRawPath().equals("/") ? "" : base.getRawPath().replaceAll("/$", "");
        String query = req.getQueryString();
        URI target = URI.create(base.getScheme() + "://" + base.getRawAuthority() + basePath + req.getRequestURI()
                + (query == null ? "" : "?" + query));
        byte[] body = req.getInputStream().readAllBytes();
        var out = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .method(req.getMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : Collections.list(req.getHeaderNames())) {
            if (!SKIP.contains(name.toLowerCase(Locale.ROOT))) {
                for (String v : Collections.list(req.getHeaders(name))) {
                    out.header(name, v);
                }
            }
        }
        if (req.getHeader("host") != null) {
            out.header("x-forwarded-host", req.getHeader("host"));
        }
        HttpResponse<byte[]> in;
        try {
            in = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            res.sendError(502, "interrupted while waiting for the upstream");
            return;
        } catch (IOException e) {
            res.sendError(502, "upstream failed: " + e.getMessage());
            return;
        }
        res.setStatus(in.statusCode());
        for (Map.Entry<String, List<String>> h : in.headers().map().entrySet()) {
            if (!SKIP.contains(h.getKey().toLowerCase(Locale.ROOT)) && !h.getKey().startsWith(":")) {
                for (String v : h.getValue()) {
                    res.addHeader(h.getKey(), v);
                }
            }
        }
        res.getOutputStream().write(in.body());
    }
}
