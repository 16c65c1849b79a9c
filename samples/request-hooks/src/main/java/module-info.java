/**
 * Envoy-style request hooks: a proxy-wasm ABI host on Corral ({@code dev.corral.proxywasm}) and a
 * Jakarta Servlet filter that runs a chain of proxy-wasm filters around any servlet
 * ({@code dev.corral.proxywasm.servlet}; the servlet API is optional, provided by the container).
 */
module dev.corral.proxywasm {
    requires transitive dev.corral.core;
    requires transitive dev.corral.capabilities;
    requires static jakarta.servlet;

    exports dev.corral.proxywasm;
    exports dev.corral.proxywasm.servlet;
}
