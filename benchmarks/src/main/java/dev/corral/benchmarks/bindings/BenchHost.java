package dev.corral.benchmarks.bindings;

import dev.corral.bindings.HostFunction;
import dev.corral.bindings.HostModule;
import java.nio.ByteBuffer;

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

    /** Reads one byte of a guest range handed over as a view: no copy. */
    @HostFunction
    public int peek(ByteBuffer b) {
        return b.get(b.limit() - 1);
    }

    /** The same through a byte[]: the range is copied out of the guest first. */
    @HostFunction
    public int peekBytes(byte[] b) {
        return b[b.length - 1];
    }
}
