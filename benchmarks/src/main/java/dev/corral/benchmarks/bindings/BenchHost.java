package dev.corral.benchmarks.bindings;

import dev.corral.bindings.HostFunction;
import dev.corral.bindings.HostModule;

/** The host API of BindingsBenchmark, bound by the generated BenchHost_CorralHost. */
@HostModule("bench")
public class BenchHost {
    @HostFunction
    public int add(int a, int b) {
        return a + b;
    }

    @HostFunction
    public int consume(String s) {
        return s.length();
    }
}
