package dev.corral.benchmarks.game;

import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.PluginPolicy;
import dev.corral.capabilities.WasiClock;
import dev.corral.game.mods.ModHost;
import dev.corral.game.mods.ModSource;
import dev.corral.js.JsEngine;
import dev.corral.js.JsPlugin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 14: what one trivial mod's tick costs in the game's mod host, everything included: the
 * game's tick scope, a snapshot of the instance, the tick's deadline armed and disarmed, the
 * metered call, the fuel read-out; for a faulting mod also the rollback (scope and instance
 * restore). Against the bare call on the same module and policy, to show the host's share.
 * Targets: a trivial wasm on_tick under 1 µs, a trivial JavaScript onTick under 20 µs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 3, jvmArgsAppend = "-Xss64m")
public class ModTickBenchmark {
    static final long FUEL = 1_000_000;

    /** One mod in a mod host, played tick after tick. */
    @State(Scope.Thread)
    public static class Host {
        @Param({"wasm", "js"})
        public String kind;

        @Param({"ok", "fault"})
        public String outcome;

        Corral corral;
        ModHost<BenchGame.Api> host;
        long tick;

        @Setup
        public void setup() {
            corral = BenchGame.corral();
            ModSource mod = kind.equals("wasm")
                    ? new ModSource("m.wasm", BenchGame.wasm(outcome.equals("ok") ? "mod_quiet" : "mod_trap"))
                    : new ModSource("m.js", (outcome.equals("ok") ? "function onTick(t) {}" : "function onTick(t) { throw new Error('no'); }")
                            .getBytes(StandardCharsets.UTF_8));
            host = ModHost.builder(corral, new BenchGame())
                    .tickFuel(FUEL).tickTimeout(Duration.ofSeconds(1)).maxFaults(Integer.MAX_VALUE)
                    .clock(WasiClock.virtual(Instant.EPOCH)).build();
            host.load(List.of(mod));
            if (!host.statuses().get(0).active()) {
                throw new IllegalStateException("the mod did not load: " + host.statuses().get(0).reason());
            }
        }

        @TearDown
        public void tearDown() {
            host.close();
            corral.close();
        }
    }

    @Benchmark
    public void hostTick(Host s) {
        s.host.tick(++s.tick);
    }

    /** The same trivial call without the host: the metered wasm call, or JsPlugin.call. */
    @State(Scope.Thread)
    public static class Bare {
        @Param({"wasm", "js"})
        public String kind;

        Corral corral;
        Plugin plugin;
        PluginFunction onTick;
        JsPlugin js;
        long tick;

        @Setup
        public void setup() {
            corral = BenchGame.corral();
            var policy = PluginPolicy.builder().fuel(FUEL).timeout(Duration.ofSeconds(60)).build();
            if (kind.equals("wasm")) {
                plugin = corral.load(BenchGame.wasm("mod_quiet")).instantiate(policy);
                onTick = plugin.function("on_tick");
            } else {
                js = JsEngine.load(corral).plugin("m").policy(policy).script("function onTick(t) {}").build();
            }
        }

        @TearDown
        public void tearDown() {
            if (plugin != null) {
                plugin.close();
            }
            if (js != null) {
                js.close();
            }
            corral.close();
        }
    }

    @Benchmark
    public Object bareCall(Bare s) {
        long t = ++s.tick;
        return s.onTick != null ? s.onTick.callRaw(t) : s.js.call("onTick", t);
    }
}
