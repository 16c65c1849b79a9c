package dev.corral.proxywasm.servlet;

import dev.corral.Corral;
import dev.corral.proxywasm.FilterChain;
import dev.corral.proxywasm.FilterConfigFile;
import dev.corral.proxywasm.ProxyWasmFilter;
import dev.corral.proxywasm.Request;
import dev.corral.proxywasm.Response;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A Jakarta Servlet {@link Filter} that runs a chain of proxy-wasm filters around whatever it is
 * mapped in front of: the request goes through the filters' request callbacks (which may change
 * it, or answer it themselves with a local reply), the servlet sees the filtered request, and its
 * response goes back through the filters' response callbacks before it reaches the client.
 *
 * <pre>{@code
 * var filter = ProxyWasmServletFilter.builder()
 *         .filter(ProxyWasmFilter.builder(corral.load(Path.of("auth.wasm"))).build())
 *         .build();
 * context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>Or, from {@code web.xml} or any container, with the no-argument constructor and the init
 * parameter {@value #CONFIG_PARAM} naming a {@link FilterConfigFile}.
 *
 * <p>Bodies are buffered (a proxy-wasm filter may rewrite them whole): requests up to
 * {@code maxRequestBodyBytes} (else 413), responses up to {@code maxResponseBodyBytes} (else
 * 502). A change of {@code :path} is visible to the servlet ({@code getRequestURI},
 * {@code getQueryString}, parameters) but does not re-route the request: the container chose the
 * servlet before the filter ran. Asynchronous servlets are not supported.
 */
public final class ProxyWasmServletFilter implements Filter {
    /** Init parameter: path of a {@link FilterConfigFile}, for containers that create the filter. */
    public static final String CONFIG_PARAM = "corral.config";

    private FilterChain chain;
    private int maxRequestBodyBytes;
    private int maxResponseBodyBytes;
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** For containers: configured in {@link #init} from the {@value #CONFIG_PARAM} init parameter. */
    public ProxyWasmServletFilter() {
        this.maxRequestBodyBytes = 8 << 20;
        this.maxResponseBodyBytes = 8 << 20;
    }

    private ProxyWasmServletFilter(Builder b) {
        this.chain = FilterChain.of(b.filters);
        this.maxRequestBodyBytes = b.maxRequestBodyBytes;
        this.maxResponseBodyBytes = b.maxResponseBodyBytes;
        if (b.closeFilters) {
            owned.addAll(b.filters);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Filters from a {@link FilterConfigFile}, loaded with {@code corral}; closed with this filter. */
    public static ProxyWasmServletFilter fromConfig(Corral corral, Path file) throws IOException {
        var b = builder().closeFilters(true);
        FilterConfigFile.load(corral, file).forEach(b::filter);
        return b.build();
    }

    public FilterChain chain() {
        return chain;
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        if (chain != null) {
            return;
        }
        String file = config.getInitParameter(CONFIG_PARAM);
        if (file == null) {
            throw new ServletException("ProxyWasmServletFilter needs the init parameter " + CONFIG_PARAM
                    + " (a proxy-wasm filter config file), or build it with ProxyWasmServletFilter.builder()");
        }
        Corral corral = Corral.create();
        try {
            List<ProxyWasmFilter> filters = FilterConfigFile.load(corral, Path.of(file));
            this.chain = FilterChain.of(filters);
            owned.addAll(filters);
            owned.add(corral);
        } catch (IOException | RuntimeException e) {
            corral.close();
            throw new ServletException("cannot load proxy-wasm filters from " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, jakarta.servlet.FilterChain next)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
            next.doFilter(req, res);
            return;
        }
        var hreq = (HttpServletRequest) req;
        var hres = (HttpServletResponse) res;
        Request request;
        try {
            request = toRequest(hreq, maxRequestBodyBytes);
        } catch (BodyTooLarge e) {
            write(hres, Response.of(413, "text/plain", "request body too large\n"));
            return;
        }
        Response response;
        try {
            response = chain.execute(request, filtered -> {
                var wrappedReq = new FilteredRequest(hreq, filtered);
                var wrappedRes = new BufferedResponse(hres, maxResponseBodyBytes);
                try {
                    next.doFilter(wrappedReq, wrappedRes);
                } catch (ServletException e) {
                    throw new ServletFailure(e);
                }
                return wrappedRes.toResponse();
            });
        } catch (ServletFailure e) {
            throw (ServletException) e.getCause();
        } catch (BufferedResponse.TooLarge e) {
            response = Response.of(502, "text/plain", "response body too large for the filters\n");
        }
        write(hres, response);
    }

    static Request toRequest(HttpServletRequest req, int maxBody) throws IOException {
        String query = req.getQueryString();
        var r = new Request(req.getMethod(), req.getRequestURI() + (query == null ? "" : "?" + query));
        String host = req.getHeader("host");
        r.authority(host != null ? host : req.getServerName() + ":" + req.getServerPort());
        r.scheme(req.getScheme());
        r.protocol("HTTP/2.0".equals(req.getProtocol()) ? "HTTP/2" : req.getProtocol());
        for (String name : Collections.list(req.getHeaderNames())) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("host")) {
                continue; // it is :authority
            }
            for (String v : Collections.list(req.getHeaders(name))) {
                r.headers().add(n, v);
            }
        }
        r.body(readBody(req.getInputStream(), maxBody));
        if (req.isTrailerFieldsReady()) {
            for (Map.Entry<String, String> t : req.getTrailerFields().entrySet()) {
                r.trailers().add(t.getKey(), t.getValue());
            }
        }
        r.source(Objects.toString(req.getRemoteAddr(), ""), req.getRemotePort());
        r.destination(Objects.toString(req.getLocalAddr(), ""), req.getLocalPort());
        return r;
    }

    private static byte[] readBody(InputStream in, int max) throws IOException {
        byte[] body = in.readNBytes(max);
        if (body.length == max && in.read() >= 0) {
            throw new BodyTooLarge();
        }
        return body;
    }

    static void write(HttpServletResponse res, Response response) throws IOException {
        res.setStatus(response.status());
        for (Map.Entry<String, String> h : response.headers()) {
            String n = h.getKey();
            if (n.equals("content-length") || n.equals("transfer-encoding")) {
                continue; // framing is the container's, from the final body
            }
            res.addHeader(n, h.getValue());
        }
        byte[] body = response.body();
        res.setContentLengthLong(body.length);
        if (body.length > 0) {
            try (OutputStream out = res.getOutputStream()) {
                out.write(body);
            }
        }
    }

    @Override
    public void destroy() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing is best effort; each filter logs its own trouble
            }
        }
        owned.clear();
    }

    private static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** Carries a servlet's ServletException through the IOException-only Upstream. */
    private static final class ServletFailure extends IOException {
        private static final long serialVersionUID = 1L;

        ServletFailure(ServletException e) {
            super(e);
        }
    }

    public static final class Builder {
        private final List<ProxyWasmFilter> filters = new ArrayList<>();
        private int maxRequestBodyBytes = 8 << 20;
        private int maxResponseBodyBytes = 8 << 20;
        private boolean closeFilters;

        private Builder() {}

        /** The next filter of the chain: requests pass filters in the order they are added. */
        public Builder filter(ProxyWasmFilter filter) {
            filters.add(Objects.requireNonNull(filter, "filter"));
            return this;
        }

        public Builder maxRequestBodyBytes(int bytes) {
            this.maxRequestBodyBytes = bytes;
            return this;
        }

        public Builder maxResponseBodyBytes(int bytes) {
            this.maxResponseBodyBytes = bytes;
            return this;
        }

        /** Close the filters when the servlet filter is destroyed (default: the caller owns them). */
        public Builder closeFilters(boolean close) {
            this.closeFilters = close;
            return this;
        }

        public ProxyWasmServletFilter build() {
            if (filters.isEmpty()) {
                throw new IllegalStateException("no proxy-wasm filter added");
            }
            return new ProxyWasmServletFilter(this);
        }
    }
}
