package dev.corral.benchmarks.big;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.Corral;
import dev.corral.Plugin;
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
 * Calls through Chicory's dispatch methods in a module with 2,000 functions of one type
 * (benchmarks/generator/IndirectModuleGenerator.java), the shape of a Go module. {@code indirect}:
 * 1,000 {@code call_indirect}s per operation; {@code direct}: 1,000 direct calls (the floor);
 * {@code hostToGuest}: one host-to-guest call of an export, which Chicory dispatches by function
 * index. {@code corral}: Chicory's oversized dispatch methods split (core,
 * internal/chicory/DispatchSplitter); {@code chicory}: raw Chicory, whose dispatch methods are
 * 16-26 KB of bytecode, which HotSpot never JIT-compiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IndirectCallBenchmark {
    static final int CALLS = 1_000;

    @Param({"corral", "chicory"})
    public String runtime;

    private Corral corral;
    private IntToLongFunction run;
    private IntToLongFunction direct;
    private IntToLongFunction f0;

    static long expected(int n) {
        int acc = 0;
        for (int i = 0; i < n; i++) {
            acc = acc * 31 + (i * 7) % 2_000;
        }
        return acc;
    }

    @Setup
    public void setup() {
        byte[] wasm = ZstdBenchmark.resource("indirect.wasm");
        if (runtime.equals("corral")) {
            corral = Corral.create();
            PluginModule module = corral.load(wasm);
            System.err.println("[indirect] " + module.compileFacts());
            Plugin p = module.instantiate();
            PluginFunction r = p.function("run");
            PluginFunction d = p.function("direct");
            PluginFunction f = p.function("f0");
            run = n -> r.callRaw(n)[0];
            direct = n -> d.callRaw(n)[0];
            f0 = n -> f.callRaw(n)[0];
        } else {
            WasmModule m = Parser.parse(wasm);
            Instance inst = Instance.builder(m).withMachineFactory(MachineFactoryCompiler.builder(m).compile()).build();
            ExportFunction r = inst.export("run");
            ExportFunction d = inst.export("direct");
            ExportFunction f = inst.export("f0");
            run = n -> r.apply(n)[0];
            direct = n -> d.apply(n)[0];
            f0 = n -> f.apply(n)[0];
        }
        for (int n : new int[] {0, 1, 2_001, 5_000}) {
            if ((int) run.applyAsLong(n) != (int) expected(n)) {
                throw new IllegalStateException(runtime + ": run(" + n + ") = " + run.applyAsLong(n) + ", expected " + expected(n));
            }
        }
        if ((int) f0.applyAsLong(3) != 93) {
            throw new IllegalStateException(runtime + ": f0(3) = " + f0.applyAsLong(3));
        }
    }

    @TearDown
    public void tearDown() {
        if (corral != null) {
            corral.close();
        }
    }

    @Benchmark
    public long indirect() {
        return run.applyAsLong(CALLS);
    }

    @Benchmark
    public long direct() {
        return direct.applyAsLong(CALLS);
    }

    @Benchmark
    public long hostToGuest() {
        return f0.applyAsLong(3);
    }

    @Benchmark
    @Fork(jvmArgsAppend = "-XX:-DontCompileHugeMethods")
    public long indirectHugeMethods() {
        return run.applyAsLong(CALLS);
    }
}
