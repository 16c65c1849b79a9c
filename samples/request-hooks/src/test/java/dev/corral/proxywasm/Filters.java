package dev.corral.proxywasm;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The test filters (built from source by the build into target/test-classes/filters) and helpers. */
final class Filters {
    private static final Map<ExecutionMode, Corral> ENGINES = new ConcurrentHashMap<>();
    private static final Map<String, PluginModule> MODULES = new ConcurrentHashMap<>();

    private Filters() {}

    static Corral corral(ExecutionMode mode) {
        return ENGINES.computeIfAbsent(mode, m -> Corral.builder().executionMode(m).build());
    }

    static byte[] bytes(String name) {
        try (InputStream in = Filters.class.getResourceAsStream("/filters/" + name + ".wasm")) {
            if (in == null) {
                throw new IllegalStateException("no test filter " + name + " (built by src/test/build-filters.sh)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PluginModule module(String name, ExecutionMode mode) {
        return MODULES.computeIfAbsent(name + "/" + mode, k -> corral(mode).loader().name(name).load(bytes(name)));
    }

    static PluginModule module(String name) {
        return module(name, ExecutionMode.COMPILED);
    }

    static ProxyWasmFilter.Builder filter(String name, ExecutionMode mode) {
        return ProxyWasmFilter.builder(module(name, mode)).logger(new RecordingLogger());
    }

    static ProxyWasmFilter.Builder filter(String name) {
        return filter(name, ExecutionMode.COMPILED);
    }

    static Request get(String path) {
        var r = new Request("GET", path).authority("example.test").source("10.1.2.3", 4567).destination("10.0.0.1", 8080);
        r.headers().add("user-agent", "test");
        return r;
    }

    /** An upstream that records what it received and answers 200 with the request's body. */
    static final class Echo implements Upstream {
        final List<Request> received = new ArrayList<>();

        @Override
        public synchronized Response send(Request request) {
            received.add(request.copy());
            var r = new Response(200).body(request.body());
            r.headers().add("content-type", "text/plain");
            r.headers().add("x-upstream-secret", "s3cret");
            return r;
        }

        synchronized Request last() {
            return received.isEmpty() ? null : received.get(received.size() - 1);
        }

        synchronized int count() {
            return received.size();
        }
    }
}
