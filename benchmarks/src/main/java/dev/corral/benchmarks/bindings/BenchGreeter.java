package dev.corral.benchmarks.bindings;

import dev.corral.bindings.GuestInterface;

@GuestInterface
public interface BenchGreeter {
    String greet(String name);
}
