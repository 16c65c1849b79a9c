package dev.corral.benchmarks;

import dev.corral.Corral;
import dev.corral.PluginFunction;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What FlatMemory's write tracking (the chunk mark behind snapshots and pool resets) costs on
 * memory-bound code, in CPU time: a control for {@code ComputeBenchmark}'s
 * {@code corralMemory240k}/{@code corralMemory240kUntracked} rows on a machine so loaded that
 * JMH's wall-clock scores of one row move by 3x between runs. The calling thread's CPU time leaves
 * out the time it waits for a core. Tracking is a static final switch, so each case runs in a JVM
 * of its own; the two cases alternate, {@code rounds} times each. Read the median ratio.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.corral.benchmarks.TrackingCost [rounds]</pre>
 */
public final class TrackingCost {
    private static final String UNTRACKED = "-Ddev.corral.internal.untrackedMemory=true";
    private static long sink;

    private TrackingCost() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--case")) {
            System.out.println(measure());
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        double[] tracked = new double[rounds];
        double[] untracked = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            tracked[r] = child(false);
            untracked[r] = child(true);
            ratio[r] = tracked[r] / untracked[r];
            System.out.printf(Locale.ROOT, "round %d: tracked %.1f us, untracked %.1f us, %.3fx%n",
                    r, tracked[r], untracked[r], ratio[r]);
        }
        System.out.printf(Locale.ROOT, "memory_traffic CPU us per call: tracked %s, untracked %s; ratio %s%n",
                summary(tracked, "%.1f"), summary(untracked, "%.1f"), summary(ratio, "%.3f"));
    }

    private static String summary(double[] values, String format) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return String.format(Locale.ROOT, format + " [" + format + "-" + format + "]", ChildJvm.median(v), v[0], v[n - 1]);
    }

    private static double child(boolean untracked) throws Exception {
        return ChildJvm.run(TrackingCost.class, untracked ? List.of(UNTRACKED) : List.of(), "--case");
    }

    /** One JVM: the median of 15 measured rounds (after 10 warm-up rounds) in CPU us per call. */
    private static double measure() {
        try (Corral corral = Corral.create()) {
            PluginFunction memory = Fixtures.corralModule(corral, Fixtures.COMPILED).instantiate().function("memory_traffic");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int calls = 2_000;
            double[] perCall = new double[25];
            for (int r = 0; r < perCall.length; r++) {
                long t0 = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < calls; i++) {
                    sink += memory.callRaw(60_000)[0];
                }
                perCall[r] = (threads.getCurrentThreadCpuTime() - t0) / 1_000.0 / calls;
            }
            double[] measured = Arrays.copyOfRange(perCall, 10, perCall.length);
            Arrays.sort(measured);
            return measured[measured.length / 2];
        }
    }
}
