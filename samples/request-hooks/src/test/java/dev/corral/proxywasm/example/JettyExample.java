package dev.corral.proxywasm.example;

import dev.corral.Corral;
import dev.corral.proxywasm.FailStrategy;
import dev.corral.proxywasm.ProxyWasmFilter;
import dev.corral.proxywasm.servlet.ProxyWasmServletFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/** The README's plain-Jetty example, compiled by the build (and started by ExampleTest). */
public final class JettyExample {
    private JettyExample() {}

    public static Server start(Path wasm, HttpServlet app, int port) throws Exception {
        // --- README: begin
        Corral corral = Corral.create();
        ProxyWasmFilter auth = ProxyWasmFilter.builder(corral.load(wasm))
                .pluginConfig("{\"header\": \"x-api-key\"}")
                .timeout(Duration.ofMillis(200))         // per callback
                .fuel(10_000_000)                        // per callback, deterministic
                .failStrategy(FailStrategy.FAIL_CLOSED)  // a faulting filter answers 500
                .build();
        var context = new ServletContextHandler();
        context.addServlet(new ServletHolder(app), "/*");
        context.addFilter(new FilterHolder(ProxyWasmServletFilter.builder().filter(auth).build()),
                "/*", EnumSet.of(DispatcherType.REQUEST));
        Server server = new Server(port);
        server.setHandler(context);
        server.start();
        // --- README: end
        return server;
    }
}
