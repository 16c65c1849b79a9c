package dev.corral.benchmarks.big;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.CompileCache;
import dev.corral.Corral;
import dev.corral.FunctionSignature;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;

/**
 * Compile time and memory of a large module, plain and fuel-metered (issue 15: a 16 MB module
 * within a 1.5 GB heap; metered compile within 1.3x plain). Not JMH: one compile takes minutes.
 * Run in a fresh JVM with the heap to prove, e.g.
 * {@code java -Xmx1500m -cp benchmarks/target/benchmarks.jar dev.corral.benchmarks.big.CompileMemory ruby.wasm}
 * (benchmarks/README.md, "Compiling a 16 MB module"). No compile cache, so every run compiles.
 *
 * <p>Memory is the heap right after each garbage collection (what the collection left; the
 * largest value during a phase), from the collectors' notifications; the peak of the whole heap
 * (garbage included) is bounded by -Xmx anyway.
 */
public final class CompileMemory {
    private CompileMemory() {}

    /** A cache that keeps nothing: the memory measured is the compile's own. */
    private static final CompileCache NONE = new CompileCache() {
        @Override
        public byte[] get(String key) {
            return null;
        }

        @Override
        public void putIfAbsent(String key, byte[] data) {}
    };

    /**
     * {@code file [plain|metered|both]}: {@code plain} loads the module (the plain variant);
     * {@code metered} loads it {@linkplain dev.corral.ModuleLoader#metered metered} (the
     * fuel-metered variant only; its figure is the load alone) and then instantiates it under fuel; {@code both} (the default) loads
     * it plain, then instantiates it under fuel (what a host that does not say so compiles).
     */
    /** A large module on a busy machine takes minutes: the default 60 s compile limit would stop it. */
    private static final dev.corral.LoadLimits LIMITS = dev.corral.LoadLimits.defaults().toBuilder()
            .maxCompileTime(Duration.ofHours(1)).build();

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String what = args.length > 1 ? args[1] : "both";
        byte[] wasm = Files.readAllBytes(file);
        var policy = PluginPolicy.builder().fuel(1_000_000_000L).timeout(Duration.ofMinutes(30)).maxMemory(1L << 30);
        stubs(Parser.builder().withValidation(false).build().parse(wasm)).forEach(policy::hostModule);
        var metered = policy.build();
        System.gc();
        var sampler = new LiveHeap();
        sampler.start();
        sampler.sampleLive();
        try (Corral corral = Corral.builder().compileCache(NONE).build()) {
            long base = sampler.liveNow();
            long cpu0 = cpu();
            long t0 = System.nanoTime();
            sampler.reset();
            if (what.equals("metered")) {
                PluginModule m = corral.loader().name(file.getFileName().toString()).limits(LIMITS).metered(true).load(wasm);
                // the load alone, as in plain mode (until 2026-11-30 this figure included the instance below)
                report("metered load", t0, cpu0, sampler.peak(), base);
                System.out.println("  " + m.meteredCompileFacts().orElseThrow());
                cpu0 = cpu();
                t0 = System.nanoTime();
                sampler.reset();
                m.instantiate(metered).close(); // proves the variant runs under fuel; compiles nothing
                report("then one metered instance", t0, cpu0, sampler.peak(), base);
                return;
            }
            PluginModule m = corral.loader().name(file.getFileName().toString()).limits(LIMITS).load(wasm);
            report("plain load", t0, cpu0, sampler.peak(), base);
            System.out.println("  " + m.compileFacts());
            if (what.equals("plain")) {
                return;
            }
            cpu0 = cpu();
            t0 = System.nanoTime();
            sampler.reset();
            m.instantiate(metered).close(); // the first metered instance instruments, splits and compiles
            report("then metered", t0, cpu0, sampler.peak(), base);
            System.out.println("  " + m.meteredCompileFacts().orElseThrow());
        } finally {
            sampler.interrupt();
        }
    }

    /** Every non-WASI function import answered with zeros: enough to link (nothing is called). */
    static List<HostModuleDef> stubs(WasmModule m) {
        Map<String, List<HostFunctionDef>> byModule = new TreeMap<>();
        for (int i = 0; i < m.importSection().importCount(); i++) {
            var im = m.importSection().getImport(i);
            if (!(im instanceof FunctionImport) || im.module().equals("wasi_snapshot_preview1")) {
                continue;
            }
            var type = m.typeSection().getType(((FunctionImport) im).typeIndex());
            var sig = FunctionSignature.of(types(type.params()), types(type.returns()));
            int results = type.returns().size();
            byModule.computeIfAbsent(im.module(), k -> new ArrayList<>())
                    .add(HostFunctionDef.of(im.module(), im.name(), sig, (ctx, a) -> new long[results]));
        }
        List<HostModuleDef> out = new ArrayList<>();
        byModule.forEach((name, fns) -> out.add(HostModuleDef.of(name, fns)));
        return out;
    }

    private static List<ValueType> types(List<ValType> in) {
        List<ValueType> out = new ArrayList<>();
        for (ValType t : in) {
            out.add(t.equals(ValType.I64) ? ValueType.I64 : t.equals(ValType.F64) ? ValueType.F64
                    : t.equals(ValType.F32) ? ValueType.F32 : ValueType.I32);
        }
        return out;
    }

    private static void report(String what, long t0, long cpu0, long peakLive, long base) {
        System.out.printf(Locale.ROOT, "%s: %.1f s wall, %.1f s CPU (process), heap after GC peak %d MB (%d MB above the start),"
                + " heap max %d MB%n", what, (System.nanoTime() - t0) / 1e9, (cpu() - cpu0) / 1e9, peakLive >> 20,
                (peakLive - base) >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    private static long cpu() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
    }

    /**
     * The heap right after each garbage collection (every pool, what the collection left), from the
     * collectors' notifications: the same figure as the "->" of {@code -Xlog:gc}. Its largest value
     * during a phase bounds what the phase kept alive from above (garbage not yet collected by a
     * young collection counts too).
     */
    private static final class LiveHeap {
        private volatile long peak;

        void start() {
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((javax.management.NotificationEmitter) gc).addNotificationListener((n, h) -> {
                    if (!n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                        return;
                    }
                    var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                            (javax.management.openmbean.CompositeData) n.getUserData());
                    long sum = 0;
                    for (var u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                        sum += u.getUsed();
                    }
                    // non-heap pools (metaspace, code cache) are in the map too: count the heap only
                    for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (!HEAP_POOLS.contains(e.getKey())) {
                            sum -= e.getValue().getUsed();
                        }
                    }
                    synchronized (this) {
                        peak = Math.max(peak, sum);
                    }
                }, null, null);
            }
        }

        private static final java.util.Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                .collect(java.util.stream.Collectors.toSet());

        long liveNow() {
            System.gc();
            var r = Runtime.getRuntime();
            return r.totalMemory() - r.freeMemory();
        }

        synchronized void reset() {
            peak = 0;
        }

        synchronized long peak() {
            return peak;
        }

        private Thread sampler;

        /**
         * With {@code -Dcorral.cm.sampleMs=N}: every N ms, a full collection and the heap it left,
         * so the peak is of live objects (sampled), not of old garbage a young collection leaves.
         * It slows the compile down: time is measured in runs without it.
         */
        void sampleLive() {
            long ms = Long.getLong("corral.cm.sampleMs", 0);
            if (ms <= 0) {
                return;
            }
            sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        Thread.sleep(ms);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.gc(); // the notification listener records what it left
                }
            }, "live-heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        void interrupt() {
            if (sampler != null) {
                sampler.interrupt();
            }
        }
    }
}
