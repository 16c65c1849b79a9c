package dev.corral.samples.hello;

import dev.corral.bindings.GuestInterface;

/** What the plugin offers the host: its export {@code greet}, typed. */
@GuestInterface
public interface Greeter {
    String greet(String name);
}
