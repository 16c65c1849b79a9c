package dev.corral.benchmarks;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Work inside the guest: recursive calls (fib) and a tight loop. Corral runs a rewritten copy of
 * the module (an interrupt check at the head of every loop), so this is where that rewrite shows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ComputeBenchmark {
    static final int FIB_N = 20;
    static final int LOOP_N = 100_000;
    /** 60,000 words: 240 KB written and read back, across four 64 KiB pages. */
    static final int MEMORY_N = 60_000;

    @Param({Fixtures.COMPILED, Fixtures.INTERPRETED})
    public String mode;

    long fibN = FIB_N;
    long loopN = LOOP_N;
    long memoryN = MEMORY_N;

    private Corral corral;
    private Plugin plugin;
    private PluginFunction fib;
    private PluginFunction loop;
    private ExportFunction chicoryFib;
    private ExportFunction chicoryLoop;
    private PluginFunction memory;
    private ExportFunction chicoryMemory;

    @Setup
    public void setup() {
        corral = Corral.create();
        plugin = Fixtures.corralModule(corral, mode).instantiate();
        fib = plugin.function("fib");
        loop = plugin.function("loop");
        var instance = new Fixtures.RawChicory(mode).instantiate();
        chicoryFib = instance.export("fib");
        chicoryLoop = instance.export("loop");
        memory = plugin.function("memory_traffic");
        chicoryMemory = instance.export("memory_traffic");
        // both runtimes must compute the same thing, and the same as Java
        check(fib.callRaw(fibN)[0], chicoryFib.apply(fibN)[0], JavaBaseline.fib(FIB_N));
        check(loop.callRaw(loopN)[0], chicoryLoop.apply(loopN)[0], JavaBaseline.loop(LOOP_N));
        check(memory.callRaw(memoryN)[0], chicoryMemory.apply(memoryN)[0], JavaBaseline.memory(MEMORY_N));
    }

    private static void check(long corral, long chicory, int java) {
        if ((int) corral != java || (int) chicory != java) {
            throw new IllegalStateException("results differ: corral " + corral + ", chicory " + chicory + ", java " + java);
        }
    }

    @TearDown
    public void tearDown() {
        plugin.close();
        corral.close();
    }

    @Benchmark
    public long[] corralFib20() {
        return fib.callRaw(fibN);
    }

    @Benchmark
    public long[] chicoryFib20() {
        return chicoryFib.apply(fibN);
    }

    @Benchmark
    public long[] corralLoop100k() {
        return loop.callRaw(loopN);
    }

    @Benchmark
    public long[] chicoryLoop100k() {
        return chicoryLoop.apply(loopN);
    }

    /** Corral's contiguous memory against Chicory's paged ByteArrayMemory. */
    @Benchmark
    public long[] corralMemory240k() {
        return memory.callRaw(memoryN);
    }

    /**
     * The same with FlatMemory's write tracking (the dirty-chunk mark every store makes for
     * snapshots and pool resets) switched off: the ratio to the row above is what tracking costs.
     */
    @Benchmark
    @Fork(jvmArgsAppend = "-Ddev.corral.internal.untrackedMemory=true")
    public long[] corralMemory240kUntracked() {
        return memory.callRaw(memoryN);
    }

    @Benchmark
    public long[] chicoryMemory240k() {
        return chicoryMemory.apply(memoryN);
    }
}
