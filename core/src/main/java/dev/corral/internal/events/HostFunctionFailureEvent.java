package dev.corral.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A host function threw: the plugin's call ended with HostFunctionException. */
@Name("dev.corral.HostFunctionFailure")
@Label("Host Function Failure")
@Category({"Corral", "Plugins"})
@Description("A host function granted to a plugin threw an exception")
@StackTrace(false)
public final class HostFunctionFailureEvent extends jdk.jfr.Event {
    @Label("Module")
    public String module;

    @Label("Export")
    @Description("The export the host called, during which the host function failed")
    public String export;

    @Label("Host Function")
    public String function;

    @Label("Exception")
    public Class<?> exception;

    @Label("Message")
    public String message;
}
