package dev.corral.cli;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginPolicy;
import dev.corral.proxywasm.FailStrategy;
import dev.corral.proxywasm.ProxyWasmFilter;
import dev.corral.proxywasm.servlet.ProxyWasmServletFilter;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code corral serve}: an HTTP server (embedded Jetty 12) that runs a chain of proxy-wasm filters
 * in front of a built-in echo upstream or a real one. The contract (flags, the one
 * {@code listening http://HOST:PORT} line on stdout, logs on stderr, SIGTERM drains and exits 0)
 * is used by checks outside this repository: change it only with the README.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serves HTTP with proxy-wasm filters (Envoy's HTTP filter ABI) in front of an upstream.",
            "Repeated --filter flags form a chain in order; the n-th --filter-config / --vm-config belongs to the n-th filter.",
            "Prints 'listening http://HOST:PORT' on stdout once it accepts connections; logs go to stderr."})
final class ServeCommand implements Callable<Integer>, Main.Verbose {
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stop = new CountDownLatch(1);

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "Where to listen; port 0 picks a free port.")
    private String listen;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Target target;

    static final class Target {
        @Option(names = "--upstream", paramLabel = "URL", description = "Proxy to this HTTP server, e.g. http://127.0.0.1:8080.")
        String upstream;

        @Option(names = "--echo", description = "A built-in upstream answering every request with it as JSON (method, path, headers, body).")
        boolean echo;
    }

    @Option(names = "--filter", paramLabel = "FILE.wasm", description = "A proxy-wasm filter; repeat for a chain (in order).")
    private List<Path> filters = new ArrayList<>();

    @Option(names = "--filter-config", paramLabel = "TEXT|@FILE", description = "Plugin configuration of the n-th filter.")
    private List<String> filterConfigs = new ArrayList<>();

    @Option(names = "--vm-config", paramLabel = "TEXT|@FILE", description = "VM configuration of the n-th filter.")
    private List<String> vmConfigs = new ArrayList<>();

    @Option(names = "--root-id", paramLabel = "ID", description = "Root id of the n-th filter (Envoy's root_id), for SDKs that register several.")
    private List<String> rootIds = new ArrayList<>();

    @Option(names = "--fail-open", description = "A filter that faults lets the request through unfiltered (default: 500, nothing reaches the upstream).")
    private boolean failOpen;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Units.DurationConverter.class,
            description = "Wall-clock limit per filter callback: 50ms, 1s. Default 1s.")
    private Duration timeout;

    @Option(names = "--fuel", paramLabel = "N", description = "Fuel per filter callback (about one unit per wasm instruction).")
    private Long fuel;

    @Option(names = "--max-memory", paramLabel = "SIZE", converter = Units.SizeConverter.class,
            description = "Memory bound of each filter VM: 16MiB, 64MiB. Default 32MiB.")
    private Long maxMemory;

    @Option(names = "--workers", paramLabel = "N", description = "VMs per filter, so concurrent requests (default max(4, 2 x cores)).")
    private Integer workers;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "Threshold of the filters' log records on stderr: trace, debug, info (default), warn, error, off.")
    private String logLevel = "info";

    @Option(names = "--interpreter", description = "Run the filters in Chicory's interpreter instead of compiling them.")
    private boolean interpreter;

    @Option(names = "--verbose", description = "Stack traces with errors.")
    private boolean verbose;

    ServeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public boolean verbose() {
        return verbose;
    }

    /** Ends a running serve as SIGTERM does (tests). */
    void shutdown() {
        stop.countDown();
    }

    @Override
    public Integer call() throws Exception {
        HostPort hp = HostPort.parse(listen);
        if (filterConfigs.size() > filters.size() || vmConfigs.size() > filters.size() || rootIds.size() > filters.size()) {
            throw new UsageException("more --filter-config, --vm-config or --root-id values than --filter flags");
        }
        URI upstreamUri = target.upstream == null ? null : UpstreamServlet.parse(target.upstream);
        ServeLogging.install(err, logLevel);
        try (Corral corral = Corral.builder().executionMode(interpreter ? ExecutionMode.INTERPRETED : ExecutionMode.COMPILED).build()) {
            List<ProxyWasmFilter> chain = new ArrayList<>();
            try {
                for (int i = 0; i < filters.size(); i++) {
                    chain.add(filter(corral, i));
                }
                return run(hp, chain, upstreamUri);
            } finally {
                chain.forEach(ProxyWasmFilter::close);
            }
        }
    }

    private ProxyWasmFilter filter(Corral corral, int i) throws IOException {
        Path file = filters.get(i);
        if (!Files.isRegularFile(file)) {
            throw new InputFileException("cannot read filter '" + file + "': no such file", null);
        }
        PluginPolicy.Builder policy = PluginPolicy.builder().maxMemory(maxMemory != null ? maxMemory : 32L << 20)
                .timeout(timeout != null ? timeout : Duration.ofSeconds(1));
        if (fuel != null) {
            policy.fuel(fuel);
        }
        var module = corral.load(file);
        var b = ProxyWasmFilter.builder(module).policy(policy.build())
                .failStrategy(failOpen ? FailStrategy.FAIL_OPEN : FailStrategy.FAIL_CLOSED);
        String name = module.name();
        if (i < filterConfigs.size()) {
            b.pluginConfig(text(filterConfigs.get(i)));
        }
        if (i < vmConfigs.size()) {
            b.vmConfig(text(vmConfigs.get(i)));
        }
        if (i < rootIds.size()) {
            b.rootId(rootIds.get(i));
        }
        if (workers != null) {
            b.workers(workers);
        }
        if (filters.stream().filter(f -> f.getFileName().equals(file.getFileName())).count() > 1) {
            b.name(name + "#" + (i + 1)); // the same module twice: tell their log lines apart
        }
        return b.build();
    }

    private static byte[] text(String value) throws IOException {
        if (value.startsWith("@")) {
            Path p = Path.of(value.substring(1));
            try {
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw new InputFileException("cannot read '" + p + "': " + e.getMessage(), e);
            }
        }
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private int run(HostPort hp, List<ProxyWasmFilter> chain, URI upstream) throws Exception {
        Server server = new Server();
        var connector = new ServerConnector(server);
        connector.setHost(hp.host);
        connector.setPort(hp.port);
        server.addConnector(connector);
        var context = new ServletContextHandler();
        context.addServlet(new ServletHolder(upstream == null ? new EchoServlet() : new UpstreamServlet(upstream)), "/*");
        if (!chain.isEmpty()) {
            var builder = ProxyWasmServletFilter.builder();
            chain.forEach(builder::filter);
            context.addFilter(new FilterHolder(builder.build()), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        server.setHandler(new GracefulHandler(context)); // stop() waits for requests in flight
        server.setStopTimeout(30_000);
        server.setStopAtShutdown(false);
        ServeLogging.onTerm(stop::countDown);
        server.start();
        out.println("listening http://" + hp.display + ":" + connector.getLocalPort());
        out.flush();
        for (ProxyWasmFilter f : chain) {
            System.getLogger("dev.corral.cli").log(System.Logger.Level.INFO,
                    "filter '" + f.name() + "' (proxy-wasm ABI " + f.abiVersion() + ") ready");
        }
        stop.await();
        System.getLogger("dev.corral.cli").log(System.Logger.Level.INFO, "stopping: draining requests in flight");
        server.stop();
        return ExitCode.OK.code;
    }

    /** HOST:PORT, with IPv6 in brackets ([::1]:8080). */
    static final class HostPort {
        final String host;
        final String display;
        final int port;

        private HostPort(String host, String display, int port) {
            this.host = host;
            this.display = display;
            this.port = port;
        }

        static HostPort parse(String s) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new UsageException("--listen wants HOST:PORT, got '" + s + "'");
            }
            String display = s.substring(0, colon);
            String host = display;
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new UsageException("--listen: '" + s.substring(colon + 1) + "' is not a port");
            }
            if (port < 0 || port > 65535) {
                throw new UsageException("--listen: port " + port + " is out of range");
            }
            return new HostPort(host, display, port);
        }
    }
}
