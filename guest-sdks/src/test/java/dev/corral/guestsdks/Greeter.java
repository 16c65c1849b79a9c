package dev.corral.guestsdks;

import dev.corral.bindings.GuestInterface;

/** The {@code hello} examples' export. */
@GuestInterface
public interface Greeter {
    String greet(String name);
}
