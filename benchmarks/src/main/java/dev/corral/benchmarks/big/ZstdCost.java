package dev.corral.benchmarks.big;

import dev.corral.benchmarks.ChildJvm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@link ZstdBenchmark}'s work in CPU time, a control for its JMH scores on a loaded machine: the
 * calling thread's CPU time leaves out the time it waits for a core. Each case (runtime x
 * operation x JVM flags) runs in a JVM of its own, as JMH's forks do; the cases alternate,
 * {@code rounds} times each. A case warms up for {@code warm} operations (compression needs several
 * hundred: C1 cannot compile zstd's block compressor, which runs interpreted at each entry until C2
 * has compiled it), then times 40 and answers their median. The "inlined" JVMs run with the flags of ZstdBenchmark's
 * {@code *Inlined} rows, on both sides.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.corral.benchmarks.big.ZstdCost [rounds] [warm]</pre>
 */
public final class ZstdCost {
    static final List<String> HEAP = List.of("-Xms1g", "-Xmx1g");
    static final List<String> INLINED = List.of("-Xms1g", "-Xmx1g", "-XX:-ClipInlining", "-XX:MaxTrivialSize=30");

    private ZstdCost() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--case")) {
            System.out.println(measure(args[1], args[2], Integer.parseInt(args[3])));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String warm = args.length > 1 ? args[1] : "800";
        List<String> cases = new ArrayList<>();
        for (String flags : List.of("default", "inlined")) {
            for (String op : List.of("compress", "decompress")) {
                for (String runtime : List.of("corral", "java")) {
                    cases.add(flags + " " + op + " " + runtime);
                }
            }
        }
        double[][] ms = new double[cases.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < cases.size(); c++) {
                String[] k = cases.get(c).split(" ");
                ms[c][r] = ChildJvm.run(ZstdCost.class, k[0].equals("inlined") ? INLINED : HEAP, "--case", k[2], k[1], warm);
                System.out.printf(Locale.ROOT, "round %d: %-30s %.2f ms%n", r, cases.get(c), ms[c][r]);
            }
        }
        System.out.println("CPU ms per 1.6 MB, median of rounds [min-max]; ratio = java / corral time (throughput ratio), per round");
        for (int c = 0; c < cases.size(); c += 2) {
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = ms[c + 1][r] / ms[c][r];
            }
            String name = cases.get(c).substring(0, cases.get(c).lastIndexOf(' '));
            System.out.printf(Locale.ROOT, "%-20s corral %s  java %s  ratio %s%n", name,
                    summary(ms[c], "%.2f"), summary(ms[c + 1], "%.2f"), summary(ratio, "%.3f"));
        }
    }

    private static String summary(double[] values, String format) {
        double[] v = values.clone();
        Arrays.sort(v);
        return String.format(Locale.ROOT, format + " [" + format + "-" + format + "]", ChildJvm.median(v), v[0], v[v.length - 1]);
    }

    /** One JVM: the median CPU ms of 40 operations after {@code warm}. */
    private static double measure(String runtime, String op, int warm) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ZstdBenchmark b = new ZstdBenchmark();
        b.runtime = runtime;
        b.setup();
        try {
            boolean compress = op.equals("compress");
            long sink = 0;
            for (int i = 0; i < warm; i++) {
                sink += (compress ? b.compress() : b.decompress()).length;
            }
            double[] t = new double[40];
            for (int i = 0; i < t.length; i++) {
                long start = mx.getCurrentThreadCpuTime();
                sink += (compress ? b.compress() : b.decompress()).length;
                t[i] = (mx.getCurrentThreadCpuTime() - start) / 1e6;
            }
            if (sink == 0) {
                throw new IllegalStateException("no output");
            }
            Arrays.sort(t);
            return ChildJvm.median(t);
        } finally {
            b.tearDown();
        }
    }
}
