package dev.corral.cli;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code corral serve --echo}: answers every request 200, {@code application/json},
 * {@code {"method":..,"path":..,"headers":{..},"body":..}}: the request as it arrived here, after
 * the request filters. Header names in lower case; repeated headers joined with {@code ", "}.
 */
final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", Collections.list(req.getHeaders(name))));
        }
        String query = req.getQueryString();
        String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        var json = new StringBuilder("{\"method\":").append(Json.escape(req.getMethod()))
                .append(",\"path\":").append(Json.escape(req.getRequestURI() + (query == null ? "" : "?" + query)))
                .append(",\"headers\":{");
        boolean first = true;
        for (var h : headers.entrySet()) {
            json.append(first ? "" : ",").append(Json.escape(h.getKey())).append(':').append(Json.escape(h.getValue()));
            first = false;
        }
        json.append("},\"body\":").append(Json.escape(body)).append('}');
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        res.setStatus(200);
        res.setContentType("application/json");
        res.setContentLength(bytes.length);
        res.getOutputStream().write(bytes);
    }
}
