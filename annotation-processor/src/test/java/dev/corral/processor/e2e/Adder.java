package dev.corral.processor.e2e;

import dev.corral.bindings.GuestInterface;

/** Numbers only: works with plugins that do not speak the string ABI. */
@GuestInterface
public interface Adder {
    int callAdd(int a, int b);
}
