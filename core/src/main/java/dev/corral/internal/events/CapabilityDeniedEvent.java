package dev.corral.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A plugin asked for something its grants do not cover, and got an errno (or nothing). */
@Name("dev.corral.CapabilityDenied")
@Label("Capability Denied")
@Category({"Corral", "Capabilities"})
@Description("A call a plugin made that its grants do not cover")
@StackTrace(false)
public final class CapabilityDeniedEvent extends jdk.jfr.Event {
    @Label("Module")
    public String module;

    @Label("Capability")
    @Description("e.g. wasi")
    public String capability;

    @Label("Function")
    public String function;

    @Label("Reason")
    public String reason;
}
