package dev.corral.bindings;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Offers the {@link HostFunction}-annotated methods of a class or interface to plugins under the
 * wasm import module {@link #value()}. corral-annotation-processor generates
 * {@code <Name>_CorralHost}, a {@link dev.corral.spi.HostModuleDef} to grant through
 * {@code PluginPolicy.Builder.hostModule(new Name_CorralHost(impl))}, plus guest-side declarations
 * (C, Rust, AssemblyScript) under {@code target/generated-resources/corral-guest/}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface HostModule {
    /** The wasm import module name, e.g. {@code "kv"}. */
    String value();
}
