package dev.corral.proxywasm;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Proxy-wasm filters in order, run around an {@link Upstream} the way OkHttp runs interceptors:
 * the request passes the filters first to last, the response last to first. A filter that answers
 * with a local reply stops the request there: the upstream and the later filters never see it, and
 * the reply goes back through the response callbacks of that filter and the ones before it.
 * Thread-safe: one chain serves any number of concurrent requests.
 *
 * <pre>{@code
 * FilterChain chain = FilterChain.of(auth, headers);
 * Response response = chain.execute(request, req -> callMyService(req));
 * }</pre>
 */
public final class FilterChain {
    private final List<ProxyWasmFilter> filters;

    private FilterChain(List<ProxyWasmFilter> filters) {
        this.filters = List.copyOf(filters);
    }

    public static FilterChain of(ProxyWasmFilter... filters) {
        return new FilterChain(List.of(filters));
    }

    public static FilterChain of(List<ProxyWasmFilter> filters) {
        return new FilterChain(filters);
    }

    public List<ProxyWasmFilter> filters() {
        return filters;
    }

    /**
     * Runs {@code request} through the filters and, unless one of them answers it, the upstream.
     * The request is not modified; the upstream gets the filters' version of it.
     *
     * @throws IOException what the upstream threw (after every filter that saw the request ended its stream)
     */
    public Response execute(Request request, Upstream upstream) throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(upstream, "upstream");
        return stage(0, upstream).send(request);
    }

    private Upstream stage(int i, Upstream upstream) {
        if (i == filters.size()) {
            return upstream;
        }
        ProxyWasmFilter f = filters.get(i);
        Upstream next = stage(i + 1, upstream);
        return req -> f.intercept(req, next);
    }
}
