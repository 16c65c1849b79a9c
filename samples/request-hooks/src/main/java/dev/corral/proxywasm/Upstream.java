package dev.corral.proxywasm;

import java.io.IOException;

/**
 * Where a request goes once every request filter let it through: the servlet behind a
 * {@code ProxyWasmServletFilter}, a proxied server, or a test's lambda. Like the end of OkHttp's
 * interceptor chain.
 */
@FunctionalInterface
public interface Upstream {
    Response send(Request request) throws IOException;
}
