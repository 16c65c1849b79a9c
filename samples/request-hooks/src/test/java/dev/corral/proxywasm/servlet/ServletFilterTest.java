package dev.corral.proxywasm.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.proxywasm.ProxyWasmFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The servlet filter in front of a real servlet in embedded Jetty, configured in code and from a file. */
class ServletFilterTest {
    /** Answers with what it saw: method, URI, query, a header, the body. */
    static final class SeenServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            res.setContentType("text/plain");
            res.setHeader("x-upstream-secret", "s3cret");
            res.getWriter().print(req.getMethod() + " " + req.getRequestURI() + " q=" + req.getQueryString()
                    + " added=" + req.getHeader("x-added") + " removed=" + req.getHeader("x-remove")
                    + " host=" + req.getHeader("host") + " names=" + Collections.list(req.getHeaderNames()).contains("x-added")
                    + " body=" + body);
        }
    }

    private static Server start(ProxyWasmServletFilter filter) throws Exception {
        Server server = new Server();
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        var context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new SeenServlet()), "/*");
        context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        return server;
    }

    private static HttpResponse<String> send(Server server, HttpRequest.Builder req) throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        var r = req.uri(URI.create("http://127.0.0.1:" + port + req.build().uri().getPath()
                + (req.build().uri().getQuery() == null ? "" : "?" + req.build().uri().getQuery()))).build();
        return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] filterBytes(String name) throws IOException {
        try (InputStream in = ServletFilterTest.class.getResourceAsStream("/filters/" + name + ".wasm")) {
            return in.readAllBytes();
        }
    }

    @Test
    void filtersRequestsAndResponsesAroundAServlet() throws Exception {
        try (Corral corral = Corral.create();
                var headers = ProxyWasmFilter.builder(corral.loader().name("c_headers").load(filterBytes("c_headers"))).build();
                var body = ProxyWasmFilter.builder(corral.loader().name("c_body").load(filterBytes("c_body"))).build()) {
            Server server = start(ProxyWasmServletFilter.builder().filter(headers).filter(body).build());
            try {
                var ok = send(server, HttpRequest.newBuilder(URI.create("http://x/hello?a=1")).header("x-remove", "x")
                        .POST(HttpRequest.BodyPublishers.ofString("some body")));
                assertEquals(200, ok.statusCode());
                assertEquals("[POST /hello q=a=1 added=yes removed=null host=127.0.0.1:"
                        + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + " names=true body=SOME BODY|calls=1]", ok.body());
                assertEquals("yes", ok.headers().firstValue("x-response").orElse(null));
                assertTrue(ok.headers().firstValue("x-upstream-secret").isEmpty(), "removed by the response filter");
                assertEquals(ok.body().getBytes(StandardCharsets.UTF_8).length,
                        Integer.parseInt(ok.headers().firstValue("content-length").orElse("-1")), "length of the final body");

                var rewritten = send(server, HttpRequest.newBuilder(URI.create("http://x/rewrite")).GET());
                assertTrue(rewritten.body().startsWith("[PUT /rewritten q=by=filter"), rewritten.body());

                var denied = send(server, HttpRequest.newBuilder(URI.create("http://x/deny")).GET());
                assertEquals(403, denied.statusCode());
                assertEquals("denied by c_headers\n", denied.body(), "the later filter (c_body) never saw this stream");

                var teapot = send(server, HttpRequest.newBuilder(URI.create("http://x/teapot")).GET());
                assertEquals(418, teapot.statusCode());
            } finally {
                server.stop();
            }
        }
    }

    @Test
    void configuredFromAFile(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("headers.wasm"), filterBytes("c_headers"));
        Files.writeString(dir.resolve("config.txt"), "from-a-file");
        Files.writeString(dir.resolve("filters.properties"), String.join("\n",
                "filters = headers",
                "headers.wasm = headers.wasm",
                "headers.config = @config.txt",
                "headers.timeout = 200ms",
                "headers.fuel = 1000000",
                "headers.max-memory = 4MiB",
                "headers.workers = 2",
                "headers.fail = open"));
        try (Corral corral = Corral.create()) {
            var filter = ProxyWasmServletFilter.fromConfig(corral, dir.resolve("filters.properties"));
            Server server = start(filter);
            try {
                var r = send(server, HttpRequest.newBuilder(URI.create("http://x/p")).GET());
                assertEquals(200, r.statusCode());
                assertTrue(r.body().contains("added=yes"), r.body());
                assertEquals("headers", filter.chain().filters().get(0).name());
            } finally {
                server.stop();
                filter.destroy();
            }
        }
    }

    @Test
    void aConfigFileWithATypoIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bad.properties"), "filters = a\na.wasm = a.wasm\na.timeuot = 1s\n");
        try (Corral corral = Corral.create()) {
            var e = assertThrows(IllegalArgumentException.class, () -> ProxyWasmServletFilter.fromConfig(corral, dir.resolve("bad.properties")));
            assertTrue(e.getMessage().contains("unknown key 'a.timeuot'"), e.getMessage());
        }
    }

    @Test
    void aRequestBodyOverTheLimitIs413() throws Exception {
        try (Corral corral = Corral.create();
                var headers = ProxyWasmFilter.builder(corral.loader().name("c_headers").load(filterBytes("c_headers"))).build()) {
            Server server = start(ProxyWasmServletFilter.builder().filter(headers).maxRequestBodyBytes(10).build());
            try {
                var r = send(server, HttpRequest.newBuilder(URI.create("http://x/p"))
                        .POST(HttpRequest.BodyPublishers.ofString("more than ten bytes")));
                assertEquals(413, r.statusCode());
                assertNull(r.headers().firstValue("x-response").orElse(null));
            } finally {
                server.stop();
            }
        }
    }
}
