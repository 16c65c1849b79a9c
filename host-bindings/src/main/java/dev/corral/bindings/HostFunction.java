package dev.corral.bindings;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A public method of a {@link HostModule} that plugins may import. Parameters and result:
 * {@code int, long, float, double, boolean, String, byte[], java.nio.ByteBuffer} (read-only,
 * valid during the call only) and {@code void}; one parameter may be a
 * {@link dev.corral.spi.HostContext} (the calling plugin), which the guest does not pass.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface HostFunction {
    /** The wasm import name; by default the method name in snake_case ({@code getUser} → {@code get_user}). */
    String value() default "";
}
