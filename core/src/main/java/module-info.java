/**
 * Corral's core: load, compile, instantiate and call sandboxed wasm plugins.
 * Only {@code dev.corral} (the API) and {@code dev.corral.spi} (extension points) are exported;
 * everything that touches Chicory lives in {@code dev.corral.internal.chicory}, so a switch of
 * runtime is one contained change.
 */
module dev.corral.core {
    requires com.dylibso.chicory.runtime;
    requires com.dylibso.chicory.compiler;
    // to rewrite the classes Chicory's compiler generates (internal/chicory): Chicory's own dependency
    requires org.objectweb.asm;
    requires org.objectweb.asm.tree;
    // JFR events (dev.corral.*): part of the JDK, no dependency
    requires jdk.jfr;

    exports dev.corral;
    exports dev.corral.spi;
}
