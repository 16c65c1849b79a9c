package dev.corral.benchmarks.big;

import com.dylibso.chicory.wasm.Parser;
import dev.corral.Corral;
import dev.corral.PluginPolicy;
import java.time.Duration;
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
 * A JavaScript loop of 1,000,000 iterations in QuickJS: most of the time is QuickJS's bytecode
 * interpreter, one 37 KB wasm function (52 KB of JVM bytecode unsplit, above HotSpot's 8,000-byte
 * JIT limit). {@code corral}: split into helpers (core/SPLITTING.md), stock JVM. {@code chicory}:
 * raw Chicory, unsplit, stock JVM. The {@code *HugeMethods} variants run with
 * {@code -XX:-DontCompileHugeMethods}, which lets the JIT compile the huge method: the target is
 * the split module on a stock JVM within 1.3x of that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class QuickJsBenchmark {
    static final String LOOP = "(function(){let s=0; for (let i=0;i<1e6;i++){ s+=i%7; } return s})()";
    static final double LOOP_RESULT = 2999997;

    @Param({"corral", "corral-metered", "chicory"})
    public String runtime;

    private Corral corral;
    private QuickJs.Vm vm;

    @Setup
    public void setup() {
        byte[] wasm = QuickJs.wasm();
        if (runtime.startsWith("corral")) {
            corral = Corral.create();
            var module = corral.load(wasm);
            var policy = PluginPolicy.builder();
            if (runtime.equals("corral-metered")) {
                policy.fuel(Long.MAX_VALUE / 4).timeout(Duration.ofMinutes(5));
            }
            vm = QuickJs.corral(module, Parser.parse(wasm), policy);
        } else {
            vm = QuickJs.chicory(wasm);
        }
        double r = vm.eval(LOOP);
        if (r != LOOP_RESULT) {
            throw new IllegalStateException(runtime + " computed " + r);
        }
    }

    @TearDown
    public void tearDown() {
        if (corral != null) {
            corral.close();
        }
    }

    @Benchmark
    public double loop() {
        return vm.eval(LOOP);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-XX:-DontCompileHugeMethods")
    public double loopHugeMethods() {
        return vm.eval(LOOP);
    }
}
