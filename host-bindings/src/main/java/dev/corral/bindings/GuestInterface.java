package dev.corral.bindings;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A Java interface describing a plugin's exports. corral-annotation-processor generates
 * {@code <Name>_CorralGuest}; obtain it with {@code plugin.as(Name.class)}. Each abstract method
 * calls the export named by {@link GuestFunction} or, by default, the method name in snake_case.
 * Types as for {@link HostFunction}, without {@code HostContext}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface GuestInterface {}
