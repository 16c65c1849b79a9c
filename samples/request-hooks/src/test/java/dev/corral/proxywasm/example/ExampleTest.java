package dev.corral.proxywasm.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.NetworkConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Jetty example runs. */
class ExampleTest {
    @Test
    void readmeExampleServes(@TempDir Path dir) throws Exception {
        Path wasm = dir.resolve("filter.wasm");
        try (InputStream in = ExampleTest.class.getResourceAsStream("/filters/c_headers.wasm")) {
            Files.write(wasm, in.readAllBytes());
        }
        var app = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
                res.getWriter().print("added=" + req.getHeader("x-added"));
            }
        };
        var server = JettyExample.start(wasm, app, 0);
        try {
            int port = ((NetworkConnector) server.getConnectors()[0]).getLocalPort();
            var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("added=yes", r.body());
            var denied = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/deny")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, denied.statusCode());
        } finally {
            server.stop();
        }
    }
}
