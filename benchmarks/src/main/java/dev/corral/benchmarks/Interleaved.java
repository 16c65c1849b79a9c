package dev.corral.benchmarks;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.IntToLongFunction;

/**
 * A/B check of the Corral/Chicory ratios for a machine too noisy for JMH's separate forks: both
 * sides run in the same JVM, alternating round by round, so that they share whatever load the
 * machine has at that moment; the median of the per-round ratios is what to read. Not a
 * replacement for the JMH numbers (absolute times), a control for their ratios.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.corral.benchmarks.Interleaved compiled|interpreted</pre>
 */
public final class Interleaved {
    private static final int ROUNDS = 21;
    private static final int WARMUP_ROUNDS = 8;
    private static long sink;

    private Interleaved() {}

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : Fixtures.COMPILED;
        boolean compiled = Fixtures.COMPILED.equals(mode);
        try (Corral corral = Corral.create()) {
            PluginModule module = Fixtures.corralModule(corral, mode);
            Plugin plugin = module.instantiate();
            var chicory = new Fixtures.RawChicory(mode);
            Instance instance = chicory.instantiate();
            PluginPolicy policy = PluginPolicy.defaults();

            int heavy = compiled ? 200 : 4;
            compare(mode, "instantiate", 20_000,
                    n -> {
                        long s = 0;
                        for (int i = 0; i < n; i++) {
                            Plugin p = module.instantiate(policy);
                            p.close();
                            s += p.memoryPages();
                        }
                        return s;
                    },
                    n -> {
                        long s = 0;
                        for (int i = 0; i < n; i++) {
                            s += chicory.instantiate().memory().pages();
                        }
                        return s;
                    });
            // no trivial calls here: in a hand-written loop the JIT folds raw Chicory's inlined
            // noop/add away (0.0 ns measured) but not Corral's guarded call; JMH's blackhole keeps
            // those honest, so CallBenchmark is the only source for them
            compare(mode, "fib20", heavy, call(plugin.function("fib"), 20), call(instance.export("fib"), 20));
            compare(mode, "loop100k", heavy, call(plugin.function("loop"), 100_000), call(instance.export("loop"), 100_000));
            plugin.close();
        }
        if (sink == 42) {
            System.out.println(); // keeps the results alive
        }
    }

    // the loop lives in the lambda, so that the per-call path is inlined as in JMH; only the
    // once-per-round call of the lambda is megamorphic
    private static IntToLongFunction call(PluginFunction f, long... args) {
        return n -> {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += f.callRaw(args)[0];
            }
            return s;
        };
    }

    private static IntToLongFunction call(ExportFunction f, long... args) {
        return n -> {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += f.apply(args)[0];
            }
            return s;
        };
    }

    private static void compare(String mode, String name, int n, IntToLongFunction corral, IntToLongFunction chicory) {
        double[] c = new double[ROUNDS];
        double[] r = new double[ROUNDS];
        double[] ratio = new double[ROUNDS];
        for (int k = -WARMUP_ROUNDS; k < ROUNDS; k++) {
            long t0 = System.nanoTime();
            sink += corral.applyAsLong(n);
            long t1 = System.nanoTime();
            sink += chicory.applyAsLong(n);
            long t2 = System.nanoTime();
            if (k >= 0) {
                c[k] = (t1 - t0) / (double) n;
                r[k] = (t2 - t1) / (double) n;
                ratio[k] = c[k] / r[k];
            }
        }
        Arrays.sort(c);
        Arrays.sort(r);
        Arrays.sort(ratio);
        System.out.printf(Locale.ROOT, "%-11s %-11s corral %12.1f ns  chicory %12.1f ns  ratio %.2f (quartiles %.2f-%.2f)%n",
                mode, name, c[ROUNDS / 2], r[ROUNDS / 2], ratio[ROUNDS / 2], ratio[ROUNDS / 4], ratio[3 * ROUNDS / 4]);
    }
}
