package dev.corral.benchmarks.pool;

import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.PluginPool;
import dev.corral.PluginSnapshot;
import dev.corral.PooledPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Issue 11's pool figures: (a) a pooled borrow + trivial call + return against a fresh
 * instantiate + call + close, for the small bench module and for one with 1 MiB of initialized
 * data; (b) what a reset costs as a function of the pages the borrower dirtied; (c) throughput
 * of {@code apply} from 1, 2 and 8 threads on a pool of 2.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PoolBenchmark {
    static byte[] resource(String name) {
        try (InputStream in = PoolBenchmark.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            if (in == null) {
                throw new IllegalStateException(name + ".wasm missing: the build compiles src/main/wat with wat2wasm");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** (a) Fresh state per call: pooled vs instantiated, per module. */
    @State(Scope.Thread)
    public static class Fresh {
        @Param({"bench", "data1m"})
        public String module;

        Corral corral;
        PluginModule loaded;
        PluginPolicy policy;
        PluginPool pool;
        String export;

        @Setup
        public void setup() {
            corral = Corral.create();
            byte[] wasm = module.equals("bench") ? resource("bench") : DataModule.withData(1 << 20);
            export = module.equals("bench") ? "noop" : "read";
            loaded = corral.load(wasm);
            policy = PluginPolicy.builder().maxMemory(32 << 20).build();
            pool = PluginPool.builder(loaded).policy(policy).maxSize(1).minIdle(1).build();
        }

        @TearDown
        public void tearDown() {
            pool.close();
            corral.close();
        }
    }

    @Benchmark
    public long[] pooledBorrowCallReturn(Fresh s) {
        try (PooledPlugin lease = s.pool.borrow()) {
            return lease.plugin().function(s.export).callRaw(s.export.equals("noop") ? new long[0] : new long[] {7});
        }
    }

    @Benchmark
    public long[] instantiateCallClose(Fresh s) {
        try (Plugin p = s.loaded.instantiate(s.policy)) {
            return p.function(s.export).callRaw(s.export.equals("noop") ? new long[0] : new long[] {7});
        }
    }

    /** (b) A restore after the guest dirtied N whole 64 KiB pages, or one byte in each of N pages. */
    @State(Scope.Thread)
    public static class Dirty {
        @Param({"1", "16", "256"})
        public int pages;

        Corral corral;
        Plugin plugin;
        PluginSnapshot snapshot;
        dev.corral.PluginFunction dirtyPages;
        dev.corral.PluginFunction dirtyBytes;

        @Setup
        public void setup() {
            corral = Corral.create();
            plugin = corral.load(resource("pool_bench")).instantiate(PluginPolicy.builder().maxMemory(32 << 20).build());
            dirtyPages = plugin.function("dirty_pages");
            dirtyBytes = plugin.function("dirty_bytes");
            snapshot = plugin.snapshot();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            plugin.close();
            corral.close();
        }
    }

    /** The guest's work alone, the baseline the two rows below add a restore to. */
    @Benchmark
    public long[] dirtyPagesOnly(Dirty s) {
        return s.dirtyPages.callRaw(s.pages);
    }

    @Benchmark
    public void dirtyPagesThenRestore(Dirty s) {
        s.dirtyPages.callRaw(s.pages);
        s.plugin.restore(s.snapshot);
    }

    @Benchmark
    public long[] dirtyBytesOnly(Dirty s) {
        return s.dirtyBytes.callRaw(s.pages);
    }

    @Benchmark
    public void dirtyBytesThenRestore(Dirty s) {
        s.dirtyBytes.callRaw(s.pages);
        s.plugin.restore(s.snapshot);
    }

    /** (c) Many threads on a pool of two. */
    @State(Scope.Benchmark)
    public static class Shared {
        Corral corral;
        PluginPool pool;

        @Setup
        public void setup() {
            corral = Corral.create();
            pool = PluginPool.builder(corral.load(resource("bench"))).maxSize(2).minIdle(2).build();
        }

        @TearDown
        public void tearDown() {
            pool.close();
            corral.close();
        }
    }

    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int apply1Thread(Shared s) {
        return s.pool.apply(p -> p.function("add").callRaw(2, 3).length);
    }

    @Benchmark
    @Threads(2)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int apply2Threads(Shared s) {
        return s.pool.apply(p -> p.function("add").callRaw(2, 3).length);
    }

    @Benchmark
    @Threads(8)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int apply8Threads(Shared s) {
        return s.pool.apply(p -> p.function("add").callRaw(2, 3).length);
    }
}
