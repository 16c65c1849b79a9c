package dev.corral.benchmarks.hooks;

import dev.corral.Corral;
import dev.corral.PluginModule;
import dev.corral.proxywasm.ProxyWasmFilter;
import dev.corral.proxywasm.servlet.ProxyWasmServletFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A bounded loopback load test of request hooks in Jetty 12: the same servlet behind (a) no
 * filter, (b) a native Java servlet filter doing some header work, (c) the same header work as a
 * proxy-wasm filter through Corral ({@code hooks_headers.wat}). Keep-alive HTTP/1.1 clients
 * (one thread and socket per connection) run for a fixed time at 1 and 16 connections and report
 * requests per second and p50/p99 latency. Only 127.0.0.1; every loop ends by itself.
 *
 * <pre>
 * flock /tmp/corral-bench.lock java -cp benchmarks/target/benchmarks.jar dev.corral.benchmarks.hooks.HooksLoadTest [warmupSeconds measureSeconds rounds]
 * </pre>
 */
public final class HooksLoadTest {
    public enum Setup { NONE, JAVA_FILTER, WASM_FILTER }

    public record Result(Setup setup, int connections, long requests, double seconds, long p50Nanos, long p99Nanos, int badResponses) {
        public double rps() {
            return requests / seconds;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-12s %3d conn  %9.0f req/s  p50 %7.1f us  p99 %8.1f us%s", setup, connections, rps(),
                    p50Nanos / 1e3, p99Nanos / 1e3, badResponses > 0 ? "  BAD " + badResponses : "");
        }
    }

    /** The servlet behind every setup: a small fixed answer that echoes one request header. */
    static final class Hello extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final byte[] BODY = "hello\n".getBytes(StandardCharsets.UTF_8);

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
            res.setContentType("text/plain");
            res.setHeader("x-saw-added", String.valueOf(req.getHeader("x-added")));
            res.setContentLength(BODY.length);
            res.getOutputStream().write(BODY);
        }
    }

    /** (b): the header work in plain Java: add x-added, replace x-replace, remove x-remove; add x-response. */
    static final class JavaHeaderFilter implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            var http = (HttpServletRequest) req;
            var wrapped = new HttpServletRequestWrapper(http) {
                @Override
                public String getHeader(String name) {
                    String n = name.toLowerCase(Locale.ROOT);
                    switch (n) {
                        case "x-added": return "yes";
                        case "x-replace": return "replaced";
                        case "x-remove": return null;
                        default: return super.getHeader(name);
                    }
                }

                @Override
                public Enumeration<String> getHeaders(String name) {
                    String v = getHeader(name);
                    return v == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(v));
                }

                @Override
                public Enumeration<String> getHeaderNames() {
                    List<String> names = new ArrayList<>();
                    for (String n : Collections.list(super.getHeaderNames())) {
                        if (!n.equalsIgnoreCase("x-remove")) {
                            names.add(n);
                        }
                    }
                    names.add("x-added");
                    return Collections.enumeration(names);
                }
            };
            ((HttpServletResponse) res).addHeader("x-response", "yes");
            chain.doFilter(wrapped, res);
        }
    }

    private final Server server;
    private final int port;
    private final ProxyWasmFilter wasm;

    public HooksLoadTest(Setup setup, Corral corral) throws Exception {
        server = new Server();
        var connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        var context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new Hello()), "/*");
        if (setup == Setup.JAVA_FILTER) {
            context.addFilter(new FilterHolder(new JavaHeaderFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
            wasm = null;
        } else if (setup == Setup.WASM_FILTER) {
            PluginModule module;
            try (InputStream in = HooksLoadTest.class.getResourceAsStream("/wasm/hooks_headers.wasm")) {
                module = corral.loader().name("hooks_headers").load(in.readAllBytes());
            }
            wasm = ProxyWasmFilter.builder(module).workers(32).timeout(Duration.ofMillis(100)).build();
            context.addFilter(new FilterHolder(ProxyWasmServletFilter.builder().filter(wasm).build()), "/*",
                    EnumSet.of(DispatcherType.REQUEST));
        } else {
            wasm = null;
        }
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    public void stop() throws Exception {
        server.stop();
        if (wasm != null) {
            wasm.close();
        }
    }

    /** One keep-alive connection's loop, for {@code nanos}: returns each request's latency. */
    private long[] client(long nanos, int[] bad, boolean filtered) throws IOException {
        byte[] request = ("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nx-replace: old\r\nx-remove: gone\r\nuser-agent: load\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        long[] lat = new long[1 << 16];
        int n = 0;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 8192);
            long end = System.nanoTime() + nanos;
            byte[] head = new byte[8192];
            while (true) {
                long t0 = System.nanoTime();
                if (t0 >= end) {
                    break;
                }
                out.write(request);
                int len = readHead(in, head);
                String h = new String(head, 0, len, StandardCharsets.ISO_8859_1);
                int cl = contentLength(h);
                in.readNBytes(cl);
                long t1 = System.nanoTime();
                String lower = h.toLowerCase(Locale.ROOT);
                if (!h.startsWith("HTTP/1.1 200") || lower.contains("x-saw-added: yes") != filtered
                        || lower.contains("x-response: yes") != filtered) {
                    bad[0]++;
                }
                if (n == lat.length) {
                    lat = Arrays.copyOf(lat, n * 2);
                }
                lat[n++] = t1 - t0;
            }
        }
        return Arrays.copyOf(lat, n);
    }

    private static int readHead(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed");
            }
            buf[n++] = (byte) b;
            if (n >= 4 && buf[n - 1] == '\n' && buf[n - 2] == '\r' && buf[n - 3] == '\n' && buf[n - 4] == '\r') {
                return n;
            }
            if (n == buf.length) {
                throw new IOException("response head too long");
            }
        }
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    /** Runs {@code connections} clients for {@code measure} and summarises. */
    public Result run(Setup setup, int connections, Duration measure) throws Exception {
        long[][] lat = new long[connections][];
        int[][] bad = new int[connections][1];
        var start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int i = 0; i < connections; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    lat[id] = client(measure.toNanos(), bad[id], setup != Setup.NONE);
                } catch (Exception e) {
                    failure[0] = e;
                    lat[id] = new long[0];
                }
            }, "load-" + i);
            t.start();
            threads.add(t);
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (failure[0] != null) {
            throw failure[0];
        }
        long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).sorted().toArray();
        int badCount = Arrays.stream(bad).mapToInt(b -> b[0]).sum();
        long p50 = all.length == 0 ? 0 : all[(int) (all.length * 0.50)];
        long p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))];
        return new Result(setup, connections, all.length, seconds, p50, p99, badCount);
    }

    /** Every setup at 1 and 16 connections, {@code rounds} times interleaved (ratios come from the same run). */
    public static List<Result> runAll(Duration warmup, Duration measure, int rounds) throws Exception {
        List<Result> out = new ArrayList<>();
        try (Corral corral = Corral.create()) {
            for (int round = 0; round < rounds; round++) {
                for (Setup setup : Setup.values()) {
                    var test = new HooksLoadTest(setup, corral);
                    try {
                        for (int conns : new int[] {1, 16}) {
                            test.run(setup, conns, warmup);
                            Result r = test.run(setup, conns, measure);
                            out.add(r);
                            System.out.println("round " + (round + 1) + "  " + r);
                        }
                    } finally {
                        test.stop();
                    }
                }
            }
        }
        return out;
    }

    public static void main(String[] args) throws Exception {
        Duration warmup = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 5);
        Duration measure = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Result> all = runAll(warmup, measure, rounds);
        System.out.println();
        System.out.println("median of " + rounds + " rounds (min-max):");
        for (Setup setup : Setup.values()) {
            for (int conns : new int[] {1, 16}) {
                double[] rps = all.stream().filter(r -> r.setup() == setup && r.connections() == conns).mapToDouble(Result::rps).sorted().toArray();
                long[] p50 = all.stream().filter(r -> r.setup() == setup && r.connections() == conns).mapToLong(Result::p50Nanos).sorted().toArray();
                long[] p99 = all.stream().filter(r -> r.setup() == setup && r.connections() == conns).mapToLong(Result::p99Nanos).sorted().toArray();
                System.out.printf(Locale.ROOT, "%-12s %3d conn  %7.0f req/s (%.0f-%.0f)  p50 %6.1f us (%.1f-%.1f)  p99 %7.1f us (%.1f-%.1f)%n",
                        setup, conns, rps[rps.length / 2], rps[0], rps[rps.length - 1], p50[p50.length / 2] / 1e3, p50[0] / 1e3,
                        p50[p50.length - 1] / 1e3, p99[p99.length / 2] / 1e3, p99[0] / 1e3, p99[p99.length - 1] / 1e3);
            }
        }
        for (int conns : new int[] {1, 16}) {
            List<Double> ratios = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                int rr = round;
                double b = all.stream().filter(r -> r.setup() == Setup.JAVA_FILTER && r.connections() == conns).skip(rr).findFirst().orElseThrow().rps();
                double c = all.stream().filter(r -> r.setup() == Setup.WASM_FILTER && r.connections() == conns).skip(rr).findFirst().orElseThrow().rps();
                ratios.add(c / b);
            }
            Collections.sort(ratios);
            System.out.printf(Locale.ROOT, "wasm / java filter at %2d conn: %.2fx (%.2f-%.2f)%n", conns, ratios.get(ratios.size() / 2),
                    ratios.get(0), ratios.get(ratios.size() - 1));
        }
    }
}
