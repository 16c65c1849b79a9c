package dev.corral.benchmarks;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import java.time.Duration;
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

/**
 * A trivial call from Java into wasm: what Corral's guard (thread confinement, error mapping,
 * optional deadline) adds to Chicory's own call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallBenchmark {
    @Param({Fixtures.COMPILED, Fixtures.INTERPRETED})
    public String mode;

    // fields, not constants, so the JIT cannot fold the arguments
    long a = 7;
    long b = 35;
    int ia = 7;
    int ib = 35;

    private Corral corral;
    private Plugin plugin;
    private Plugin timedPlugin;
    private PluginFunction noop;
    private PluginFunction add;
    private PluginFunction timedAdd;
    private Plugin meteredPlugin;
    private PluginFunction meteredNoop;
    private PluginFunction meteredAdd;
    private PluginFunction meteredTimedNoop;
    private PluginFunction meteredTimedAdd;
    private PluginFunction addWithOwnTimeout;

    private Instance instance;
    private ExportFunction chicoryNoop;
    private ExportFunction chicoryAdd;

    @Setup
    public void setup() {
        corral = Corral.create();
        PluginModule module = Fixtures.corralModule(corral, mode);
        plugin = module.instantiate();
        noop = plugin.function("noop");
        add = plugin.function("add");
        timedPlugin = module.instantiate(PluginPolicy.builder().timeout(Duration.ofSeconds(10)).build());
        timedAdd = timedPlugin.function("add");
        // the sandbox as users run it (issue 15, item 6): fuel, and fuel with a timeout
        meteredPlugin = module.instantiate(PluginPolicy.builder().fuel(1_000_000).build());
        meteredNoop = meteredPlugin.function("noop");
        meteredAdd = meteredPlugin.function("add");
        Plugin meteredTimed = module.instantiate(PluginPolicy.builder().fuel(1_000_000).timeout(Duration.ofSeconds(10)).build());
        meteredTimedNoop = meteredTimed.function("noop");
        meteredTimedAdd = meteredTimed.function("add");
        if (meteredAdd.callRaw(a, b)[0] != a + b || meteredTimedAdd.callRaw(a, b)[0] != a + b
                || meteredTimed.fuelConsumed() <= 0) {
            throw new IllegalStateException("the metered plugins do not meter");
        }
        addWithOwnTimeout = plugin.function("add").withTimeout(Duration.ofSeconds(10));

        instance = new Fixtures.RawChicory(mode).instantiate();
        chicoryNoop = instance.export("noop");
        chicoryAdd = instance.export("add");
    }

    @TearDown
    public void tearDown() {
        plugin.close();
        timedPlugin.close();
        meteredPlugin.close();
        corral.close();
    }

    @Benchmark
    public long[] corralNoopCallRaw() {
        return noop.callRaw();
    }

    @Benchmark
    public long[] chicoryNoop() {
        return chicoryNoop.apply();
    }

    @Benchmark
    public long[] corralAddCallRaw() {
        return add.callRaw(a, b);
    }

    @Benchmark
    public long[] chicoryAdd() {
        return chicoryAdd.apply(a, b);
    }

    /** The convenient path: export looked up by name, boxed arguments, typed Results. */
    @Benchmark
    public int corralAddPluginCall() {
        return plugin.call("add", ia, ib).getInt(0);
    }

    /** Chicory's equivalent convenience: export looked up by name on every call. */
    @Benchmark
    public long chicoryAddByName() {
        return instance.export("add").apply(a, b)[0];
    }

    /** With the policy's timeout: the deadline armed and disarmed on every call. */
    @Benchmark
    public long[] corralAddCallRawWithTimeout() {
        return timedAdd.callRaw(a, b);
    }

    /** Fuel metered (a budget per call, the instrumented variant), no timeout. */
    @Benchmark
    public long[] corralAddCallRawMetered() {
        return meteredAdd.callRaw(a, b);
    }

    @Benchmark
    public long[] corralNoopCallRawMetered() {
        return meteredNoop.callRaw();
    }

    /** Fuel and a timeout: the sandbox as users run it. Target (issue 15): &lt;= 2x {@link #corralAddCallRaw}. */
    @Benchmark
    public long[] corralAddCallRawMeteredTimed() {
        return meteredTimedAdd.callRaw(a, b);
    }

    @Benchmark
    public long[] corralNoopCallRawMeteredTimed() {
        return meteredTimedNoop.callRaw();
    }

    /** A view with a timeout of its own on a plugin without one: the same deadline, limits from the view. */
    @Benchmark
    public long[] corralAddCallRawPerCallTimeout() {
        return addWithOwnTimeout.callRaw(a, b);
    }
}
