package dev.corral.benchmarks;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginFunction;
import dev.corral.PluginPolicy;
import dev.corral.benchmarks.bindings.BenchHost;
import dev.corral.benchmarks.bindings.BenchHost_CorralHost;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The sandbox's cost per call (issue 15, item 6) in CPU time rather than wall time: a control for
 * {@code CallBenchmark}'s and {@code BindingsBenchmark}'s sandboxed rows on a machine so loaded
 * (load average 10-25 with two cores) that JMH's wall-clock scores move by 10x between iterations.
 * The calling thread's CPU time leaves out the time it waits for a core. Each case runs in a JVM
 * of its own (as JMH's forks do: a shared JVM would share the guard's profile between cases), the
 * cases alternate, and every case runs {@code rounds} times; read the medians and the ratios to
 * the plain call of the same kind.
 *
 * <p>By default the loop reads only each result's length, so on the plain path, which the JIT
 * inlines whole, the result array is never allocated, while a sandboxed call (a guard too big to
 * inline) allocates it. With {@code --escape} every result is stored where the JIT must keep it,
 * as JMH's Blackhole does with {@code CallBenchmark}'s returned arrays: the plain call then pays
 * the allocation too, which is the figure the ratios were taken against.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.corral.benchmarks.CallCost [rounds] [--escape]</pre>
 */
public final class CallCost {
    private static final String[] CASES = {
        "add plain", "add fuel", "add timeout", "add fuel+timeout",
        "noop plain", "noop fuel+timeout",
        "host plain", "host fuel", "host fuel+timeout"};
    private static long sink;
    /** --escape: the child JVM runs with this method kept out of line, so each result escapes into it. */
    private static final String CONSUME = "-XX:CompileCommand=dontinline,dev.corral.benchmarks.CallCost::consume";

    private CallCost() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("--case")) {
            System.out.println(measure(args[1], args.length > 2 && args[2].equals("--escape")));
            return;
        }
        List<String> rest = new ArrayList<>(List.of(args));
        boolean escape = rest.remove("--escape");
        int rounds = rest.isEmpty() ? 5 : Integer.parseInt(rest.get(0));
        double[][] t = new double[CASES.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < CASES.length; c++) {
                t[c][r] = escape ? ChildJvm.run(CallCost.class, List.of("-XX:CompileCommand=quiet", CONSUME), "--case", CASES[c], "--escape")
                        : ChildJvm.run(CallCost.class, List.of(), "--case", CASES[c]);
            }
        }
        System.out.println(escape ? "results escape (as in JMH)" : "results' length read only");
        System.out.println("| case | CPU ns per call, median [min-max] | ratio to plain (median of rounds) |");
        System.out.println("|---|---:|---:|");
        for (int c = 0; c < CASES.length; c++) {
            int plain = c < 4 ? 0 : c < 6 ? 4 : 6;
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = t[c][r] / t[plain][r];
            }
            double[] v = t[c].clone();
            Arrays.sort(v);
            Arrays.sort(ratios);
            System.out.println(String.format(Locale.ROOT, "| %s | %.2f [%.2f-%.2f] | %.2fx |",
                    CASES[c], ChildJvm.median(v), v[0], v[v.length - 1], ChildJvm.median(ratios)));
        }
    }

    private static void consume(long[] result) {
        sink += result.length;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = CallCost.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** One case in this JVM: the median over measured rounds of CPU nanoseconds per call. */
    private static double measure(String name, boolean escape) throws IOException {
        String[] parts = name.split(" ");
        boolean fuel = parts[1].contains("fuel");
        boolean timeout = parts[1].contains("timeout");
        var policy = PluginPolicy.builder();
        if (fuel) {
            policy.fuel(Long.MAX_VALUE / 4);
        }
        if (timeout) {
            policy.timeout(Duration.ofSeconds(10));
        }
        try (Corral corral = Corral.builder().executionMode(ExecutionMode.COMPILED).build()) {
            PluginFunction f;
            long[] callArgs;
            int perCall;
            if (parts[0].startsWith("host")) {
                // "hostif ...", "hostbranchy ...": loops shaped as compilers emit them (only through --case)
                policy.hostModule(new BenchHost_CorralHost(new BenchHost()));
                f = corral.load(resource("/wasm/bindings_bench.wasm")).instantiate(policy.build())
                        .function(parts[0].equals("hostbranchy") ? "add_loop_branchy"
                                : parts[0].equals("hostif") ? "add_loop_if" : parts[0].equals("hostwhile") ? "add_loop_while" : "add_loop");
                perCall = 1000; // host calls per guest call
                callArgs = new long[] {perCall};
            } else {
                f = corral.load(resource("/wasm/bench.wasm")).instantiate(policy.build()).function(parts[0]);
                perCall = 1;
                callArgs = parts[0].equals("add") ? new long[] {7, 35} : new long[0];
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int n = 4_000_000 / perCall;
            List<Double> rounds = new ArrayList<>();
            for (int r = 0; r < 12; r++) {
                long t0 = threads.getCurrentThreadCpuTime();
                if (escape) {
                    for (int i = 0; i < n; i++) {
                        consume(f.callRaw(callArgs));
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        sink += f.callRaw(callArgs).length;
                    }
                }
                if (r >= 4) { // warm-up rounds left out
                    rounds.add((threads.getCurrentThreadCpuTime() - t0) / (double) n / perCall);
                }
            }
            double[] v = rounds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return ChildJvm.median(v);
        }
    }
}
