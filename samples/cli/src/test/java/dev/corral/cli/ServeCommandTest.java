package dev.corral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corral serve} as the contract says, run as a real process (SIGTERM included): one
 * {@code listening} line on stdout, filters in front of --echo or --upstream, filter logs on stderr.
 */
class ServeCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening http://127\\.0\\.0\\.1:(\\d+)");
    private final HttpClient http = HttpClient.newHttpClient();

    /** A running {@code corral serve} process. */
    static final class Served implements AutoCloseable {
        final Process process;
        final int port;
        final List<String> stdout = new ArrayList<>();
        final StringBuilder stderr = new StringBuilder();
        private final Thread errReader;

        Served(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.corral.cli.Main", "serve"));
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).start();
            errReader = new Thread(() -> {
                try (var r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (stderr) {
                            stderr.append(line).append('\n');
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            errReader.start();
            var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (first == null) {
                throw new IllegalStateException("serve ended without listening: " + stderr());
            }
            stdout.add(first);
            Matcher m = LISTENING.matcher(first);
            assertTrue(m.matches(), "first stdout line: " + first);
            port = Integer.parseInt(m.group(1));
            new Thread(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        synchronized (stdout) {
                            stdout.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }).start();
        }

        String stderr() {
            synchronized (stderr) {
                return stderr.toString();
            }
        }

        /** SIGTERM, then the exit code. */
        int terminate() throws InterruptedException {
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "serve did not stop after SIGTERM");
            errReader.join(5000);
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void echoBehindAFilterChainThenSigtermExitsZero(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.txt");
        Files.writeString(config, "from-file");
        try (var s = new Served("--listen", "127.0.0.1:0", "--echo", "--filter", Cli.wasm("proxy_filter"),
                "--filter", Cli.wasm("proxy_filter"), "--filter-config", "first", "--filter-config", "@" + config)) {
            var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port + "/a/b?c=d"))
                    .header("X-Remove", "x").header("X-Mixed-Case", "v").POST(HttpRequest.BodyPublishers.ofString("hi there")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) MiniJson.parse(r.body());
            assertEquals("POST", json.get("method"));
            assertEquals("/a/b?c=d", json.get("path"));
            assertEquals("hi there", json.get("body"));
            @SuppressWarnings("unchecked")
            Map<String, Object> headers = (Map<String, Object>) json.get("headers");
            assertEquals("yes, yes", headers.get("x-added"), "both filters ran");
            assertEquals("first, from-file", headers.get("x-config"), "the n-th --filter-config went to the n-th filter");
            assertEquals("v", headers.get("x-mixed-case"), "names in lower case");
            assertNull(headers.get("x-remove"));
            assertNotNull(headers.get("host"));
            assertEquals(List.of("yes", "yes"), r.headers().allValues("x-response"), "response filters ran on the echo");

            var denied = get(s.port, "/", "x-deny", "1");
            assertEquals(403, denied.statusCode());
            assertEquals("denied\n", denied.body());

            assertEquals(0, s.terminate(), "SIGTERM: drain and exit 0; stderr: " + s.stderr());
            assertEquals(1, s.stdout.size(), "exactly one stdout line: " + s.stdout);
            assertTrue(s.stderr().contains("INFO [proxy_filter#1] request headers"), s.stderr());
            assertTrue(s.stderr().contains("INFO [proxy_filter#2] request headers"), s.stderr());
        }
    }

    @Test
    void proxiesToARealUpstreamAndDrainsInFlightRequestsOnSigterm() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        var arrived = new CountDownLatch(1);
        upstream.createContext("/", ex -> {
            String seen = ex.getRequestMethod() + " " + ex.getRequestURI() + " added=" + ex.getRequestHeaders().getFirst("x-added")
                    + " remove=" + ex.getRequestHeaders().getFirst("x-remove");
            if (ex.getRequestURI().getPath().equals("/slow")) {
                arrived.countDown();
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] b = seen.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("x-from-upstream", "1");
            ex.sendResponseHeaders(201, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        upstream.start();
        try (var s = new Served("--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:" + upstream.getAddress().getPort(),
                "--filter", Cli.wasm("proxy_filter"), "--timeout", "500ms", "--fuel", "1000000", "--max-memory", "4MiB",
                "--workers", "2", "--log-level", "warn")) {
            var r = get(s.port, "/x?y=1", "x-remove", "1");
            assertEquals(201, r.statusCode());
            assertEquals("GET /x?y=1 added=yes remove=null", r.body());
            assertEquals("1", r.headers().firstValue("x-from-upstream").orElse(null));
            assertEquals("yes", r.headers().firstValue("x-response").orElse(null));

            CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port + "/slow")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(arrived.await(20, TimeUnit.SECONDS));
            assertEquals(0, s.terminate(), s.stderr());
            assertEquals(201, slow.get(20, TimeUnit.SECONDS).statusCode(), "the request in flight finished");
            assertFalse(s.stderr().contains("request headers"), "--log-level warn hides INFO: " + s.stderr());
        } finally {
            upstream.stop(0);
        }
    }

    @Test
    void usageAndLoadErrors() {
        Cli.run("serve", "--listen", "127.0.0.1:0").assertError(64, "usage", "--upstream");
        Cli.run("serve", "--listen", "127.0.0.1:0", "--echo", "--upstream", "http://x").assertError(64, "usage", "mutually exclusive");
        Cli.run("serve", "--echo").assertError(64, "usage", "--listen");
        Cli.run("serve", "--listen", "nope", "--echo").assertError(64, "usage", "HOST:PORT");
        Cli.run("serve", "--listen", "127.0.0.1:0", "--echo", "--filter-config", "x").assertError(64, "usage", "more --filter-config");
        Cli.run("serve", "--listen", "127.0.0.1:0", "--upstream", "ftp://x").assertError(64, "usage", "http://");
        Cli.run("serve", "--listen", "127.0.0.1:0", "--echo", "--log-level", "loud").assertError(64, "usage", "--log-level");
        Cli.run("serve", "--listen", "127.0.0.1:0", "--echo", "--filter", "/no/such.wasm").assertError(66, "io", "no/such.wasm");
        Cli.run("serve", "--listen", "127.0.0.1:0", "--echo", "--filter", Cli.wasm("numbers")).assertError(65, "load", "not a proxy-wasm filter");
    }
}
