package dev.corral.benchmarks;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
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
 * What the JFR events and the call counters cost on the hottest path, a trivial compiled call:
 * with no recording; with a recording of the JDK's default settings (PluginCall is off by default,
 * so this must cost nothing); with PluginCall enabled at its 1 ms threshold (every call is timed,
 * none is slow enough to be written); and with every call written. Raw Chicory is the yardstick in
 * the same fork.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventsBenchmark {
    /** none; jfr-default: default.jfc; slow-calls: PluginCall enabled, 1 ms threshold; every-call: threshold 0. */
    @Param({"none", "jfr-default", "slow-calls", "every-call"})
    public String recording;

    private Corral corral;
    private Plugin plugin;
    private PluginFunction noop;
    private Instance instance;
    private ExportFunction chicoryNoop;
    private Recording jfr;

    @Setup
    public void setup() {
        if (!recording.equals("none")) {
            try {
                jfr = new Recording(Configuration.getConfiguration("default"));
            } catch (java.io.IOException | java.text.ParseException e) {
                throw new IllegalStateException(e);
            }
            if (!recording.equals("jfr-default")) {
                jfr.enable("dev.corral.PluginCall").withThreshold(recording.equals("every-call") ? Duration.ZERO : Duration.ofMillis(1));
            }
            jfr.setToDisk(false);
            jfr.setMaxSize(64 << 20);
            jfr.start();
        }
        corral = Corral.create();
        plugin = Fixtures.corralModule(corral, Fixtures.COMPILED).instantiate();
        noop = plugin.function("noop");
        instance = new Fixtures.RawChicory(Fixtures.COMPILED).instantiate();
        chicoryNoop = instance.export("noop");
    }

    @TearDown
    public void tearDown() {
        plugin.close();
        corral.close();
        if (jfr != null) {
            jfr.close();
        }
    }

    @Benchmark
    public long[] corralNoop() {
        return noop.callRaw();
    }

    @Benchmark
    public long[] chicoryNoop() {
        return chicoryNoop.apply();
    }
}
