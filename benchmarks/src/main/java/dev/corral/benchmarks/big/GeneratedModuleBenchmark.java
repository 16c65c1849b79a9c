package dev.corral.benchmarks.big;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.Corral;
import dev.corral.PluginFunction;
import dev.corral.PluginModule;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
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
 * The large generated module (benchmarks/generator/BigModuleGenerator.java, run by the build): an
 * interpreter loop of 400 arms, one 257 KB wasm function, and 48 small helpers it calls. It
 * computes {@code run(steps, seed)}; the same program in plain Java is generated next to it
 * ({@code BigModuleJava}), and the setup checks that all sides agree. {@code corral}: split into
 * helpers (core/SPLITTING.md); {@code chicory}: raw Chicory as a user gets it (the function is
 * too large for a JVM method: it runs in Chicory's interpreter, silently); {@code java}: plain Java.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GeneratedModuleBenchmark {
    static final int SEED = 12345;

    @Param({"corral", "chicory", "java"})
    public String runtime;

    @Param({"200000"})
    public int steps;

    private Corral corral;
    private IntToLongFunction run;

    static byte[] wasm() {
        return ZstdBenchmark.resource("big-generated.wasm");
    }

    @Setup
    public void setup() {
        switch (runtime) {
            case "corral":
                corral = Corral.create();
                PluginModule module = corral.load(wasm());
                System.err.println("[big-generated] " + module.compileFacts());
                PluginFunction f = module.instantiate().function("run");
                run = n -> f.callRaw(n, SEED)[0];
                break;
            case "chicory":
                WasmModule m = Parser.parse(wasm());
                Instance inst = Instance.builder(m)
                        .withMachineFactory(MachineFactoryCompiler.builder(m).withInterpreterFallback(InterpreterFallback.SILENT).compile())
                        .withMemoryFactory(ByteArrayMemory::new).build();
                ExportFunction e = inst.export("run");
                run = n -> e.apply(n, SEED)[0];
                break;
            case "java":
                run = n -> BigModuleJava.run(n, SEED);
                break;
            default:
                throw new IllegalArgumentException(runtime);
        }
        for (int n : new int[] {0, 1, 1000, 5000}) {
            long expected = BigModuleJava.run(n, SEED);
            long got = run.applyAsLong(n);
            if (got != expected) {
                throw new IllegalStateException(runtime + ": run(" + n + ") = " + got + ", plain Java computes " + expected);
            }
        }
    }

    @TearDown
    public void tearDown() {
        if (corral != null) {
            corral.close();
        }
    }

    @Benchmark
    public long run() {
        return run.applyAsLong(steps);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-XX:-DontCompileHugeMethods")
    public long runHugeMethods() {
        return run.applyAsLong(steps);
    }
}
