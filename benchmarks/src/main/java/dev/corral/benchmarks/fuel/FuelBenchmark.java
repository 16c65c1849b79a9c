package dev.corral.benchmarks.fuel;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cost of fuel metering in compiled mode: the same module and call, unmetered (the plain module)
 * vs metered (the instrumented variant, with a budget that never runs out). Target (issue 3):
 * metered/plain &lt;= 1.15 as the geometric mean over the three workloads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FuelBenchmark {
    static final int FIB_N = 20;
    static final int LOOP_N = 100_000;
    static final int SCAN_N = 65_536;

    private Corral corral;
    private Plugin plain;
    private Plugin metered;
    private PluginFunction fibPlain;
    private PluginFunction fibMetered;
    private PluginFunction loopPlain;
    private PluginFunction loopMetered;
    private PluginFunction scanPlain;
    private PluginFunction scanMetered;

    @Setup
    public void setup() throws IOException {
        byte[] wasm;
        try (InputStream in = FuelBenchmark.class.getResourceAsStream("/wasm/fuel_bench.wasm")) {
            wasm = in.readAllBytes();
        }
        corral = Corral.builder().executionMode(ExecutionMode.COMPILED).build();
        PluginModule module = corral.load(wasm);
        plain = module.instantiate();
        metered = module.instantiate(PluginPolicy.builder().fuel(Long.MAX_VALUE / 2).build());
        fibPlain = plain.function("fib");
        fibMetered = metered.function("fib");
        loopPlain = plain.function("loop");
        loopMetered = metered.function("loop");
        scanPlain = plain.function("scan");
        scanMetered = metered.function("scan");
        // same answers, and the metered side really is metered
        check(fibPlain.callRaw(FIB_N)[0], fibMetered.callRaw(FIB_N)[0]);
        check(loopPlain.callRaw(LOOP_N)[0], loopMetered.callRaw(LOOP_N)[0]);
        check(scanPlain.callRaw(SCAN_N)[0], scanMetered.callRaw(SCAN_N)[0]);
        if (metered.fuelConsumed() < SCAN_N) {
            throw new IllegalStateException("the metered plugin charged only " + metered.fuelConsumed());
        }
    }

    private static void check(long a, long b) {
        if (a != b) {
            throw new IllegalStateException("metered result " + b + " != plain " + a);
        }
    }

    @TearDown
    public void tearDown() {
        corral.close();
    }

    @Benchmark
    public long fibPlain() {
        return fibPlain.callRaw(FIB_N)[0];
    }

    @Benchmark
    public long fibMetered() {
        return fibMetered.callRaw(FIB_N)[0];
    }

    @Benchmark
    public long loopPlain() {
        return loopPlain.callRaw(LOOP_N)[0];
    }

    @Benchmark
    public long loopMetered() {
        return loopMetered.callRaw(LOOP_N)[0];
    }

    @Benchmark
    public long scanPlain() {
        return scanPlain.callRaw(SCAN_N)[0];
    }

    @Benchmark
    public long scanMetered() {
        return scanMetered.callRaw(SCAN_N)[0];
    }
}
