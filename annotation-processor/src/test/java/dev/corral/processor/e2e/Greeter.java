package dev.corral.processor.e2e;

import dev.corral.bindings.GuestInterface;

@GuestInterface
public interface Greeter {
    String greet(String name);
}
