package dev.corral.benchmarks.pool;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.PluginPool;
import dev.corral.Reset;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * (d) Heap retained per idle pooled instance of a 1-page module: the used heap after full GCs,
 * with N idle instances in pools against none, divided by N. Not JMH: it measures a size, not a
 * time. Run: {@code java -cp benchmarks/target/benchmarks.jar dev.corral.benchmarks.pool.PoolFootprint}.
 */
public final class PoolFootprint {
    private PoolFootprint() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        for (var mode : ExecutionMode.values()) {
            for (var reset : Reset.values()) {
                for (int round = 0; round < 3; round++) {
                    System.out.printf("%s %s round %d: %,d bytes per idle instance%n", mode, reset, round, measure(mode, reset, n));
                }
            }
        }
    }

    static long measure(ExecutionMode mode, Reset reset, int n) throws InterruptedException {
        try (Corral corral = Corral.builder().executionMode(mode).build()) {
            PluginModule module = corral.load(PoolBenchmark.resource("bench"));
            PluginPolicy policy = PluginPolicy.defaults();
            // warm everything the first pool would otherwise allocate once (classes, the link)
            PluginPool.builder(module).policy(policy).maxSize(1).minIdle(1).reset(reset).build().close();
            long before = usedAfterGc();
            List<PluginPool> pools = new ArrayList<>();
            int perPool = 100;
            for (int made = 0; made < n; made += perPool) {
                pools.add(PluginPool.builder(module).policy(policy).maxSize(perPool).minIdle(perPool).reset(reset).build());
            }
            long after = usedAfterGc();
            long perInstance = (after - before) / n;
            for (var p : pools) {
                p.close();
            }
            return perInstance;
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
