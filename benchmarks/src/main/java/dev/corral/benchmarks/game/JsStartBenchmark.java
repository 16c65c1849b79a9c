package dev.corral.benchmarks.game;

import dev.corral.Corral;
import dev.corral.PluginPolicy;
import dev.corral.js.JsEngine;
import dev.corral.js.JsPlugin;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 14: a JavaScript mod's start-up, without and with the snapshot. Without: a new QuickJS
 * instance, the engine's own start-up (qjs_init), the prelude, the script's top-level code (a
 * mod-sized script), and the snapshot that makes the next time cheap. With: putting a used plugin
 * back to that snapshot (what a reset or a rollback to start-up costs instead).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = "-Xss64m")
@State(Scope.Thread)
public class JsStartBenchmark {
    /** About the size of a real mod (gardener.js), with a table built at the top level. */
    static final String SCRIPT = "const dirs = [[1, 0], [-1, 0], [0, 1], [0, -1]];\n"
            + "const weights = []; for (let i = 0; i < 64; i++) weights.push(i * i % 7);\n"
            + "let planted = 0, seen = new Map();\n"
            + "function onLoad() { seen.set('start', 0); }\n"
            + "function onTick(tick) { seen.set('t' + (tick % 16), tick); planted += weights[tick % 64]; return planted; }\n";

    Corral corral;
    JsEngine engine;
    PluginPolicy policy;
    JsPlugin used;
    long tick;

    @Setup
    public void setup() {
        corral = BenchGame.corral();
        engine = JsEngine.load(corral);
        policy = PluginPolicy.builder().fuel(5_000_000).timeout(Duration.ofSeconds(60)).build();
        used = engine.plugin("m").policy(policy).script(SCRIPT).build();
    }

    @TearDown
    public void tearDown() {
        used.close();
        corral.close();
    }

    /** Dirties the plugin the way a few ticks would, before each restore is measured. */
    @Setup(Level.Invocation)
    public void play() {
        for (int i = 0; i < 4; i++) {
            used.call("onTick", ++tick);
        }
    }

    @Benchmark
    public Object startWithoutSnapshot() {
        try (JsPlugin p = engine.plugin("m").policy(policy).script(SCRIPT).build()) {
            return p;
        }
    }

    @Benchmark
    public JsPlugin startFromSnapshot() {
        used.reset();
        return used;
    }
}
