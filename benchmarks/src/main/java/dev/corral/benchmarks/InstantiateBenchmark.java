package dev.corral.benchmarks;

import com.dylibso.chicory.runtime.Instance;
import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A fresh instance of an already compiled module: memory, data segment, globals, machine, policy. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InstantiateBenchmark {
    @Param({Fixtures.COMPILED, Fixtures.INTERPRETED})
    public String mode;

    private Corral corral;
    private PluginModule module;
    private PluginPolicy policy;
    private Fixtures.RawChicory chicory;

    @Setup
    public void setup() {
        corral = Corral.create();
        module = Fixtures.corralModule(corral, mode);
        policy = PluginPolicy.defaults();
        chicory = new Fixtures.RawChicory(mode);
    }

    @TearDown
    public void tearDown() {
        corral.close();
    }

    @Benchmark
    public Plugin corralInstantiate() {
        Plugin p = module.instantiate(policy);
        p.close();
        return p;
    }

    @Benchmark
    public Instance chicoryInstantiate() {
        return chicory.instantiate();
    }
}
