package dev.corral.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * One outermost call into a plugin. Off by default, so that a JFR recording run for other reasons
 * (a continuous default.jfc recording in production) does not slow plugin calls: while it is
 * enabled every call takes the guarded path and two timestamps (~65 ns more on a trivial call at
 * the 1 ms threshold, ~115 ns recording every call; benchmarks/README.md). Enable it in the
 * recording's settings; its threshold defaults to 1 ms (slow calls only).
 */
@Name("dev.corral.PluginCall")
@Label("Plugin Call")
@Category({"Corral", "Plugins"})
@Description("A call into a WebAssembly plugin: its module, the export, the fuel it used and how it ended")
@StackTrace(false)
@Enabled(false)
@Threshold("1 ms")
public final class PluginCallEvent extends jdk.jfr.Event {
    @Label("Module")
    public String module;

    @Label("Export")
    public String export;

    @Label("Fuel")
    @Description("Fuel charged to the call; 0 when the policy sets no fuel")
    public long fuel;

    @Label("Outcome")
    @Description("ok, trap, timeout, fuel, stack, exit, host-function, memory, interrupted or error")
    public String outcome;

    /** Whether a recording wants these events: a constant false until JFR instruments the class. */
    public static boolean enabled() {
        return new PluginCallEvent().isEnabled();
    }
}
