package dev.corral.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A module's wasm translated to JVM bytecode, or taken from the compile cache. */
@Name("dev.corral.Compile")
@Label("Module Compile")
@Category({"Corral", "Modules"})
@Description("A module compiled to JVM bytecode, or loaded from the compile cache")
@StackTrace(false)
public final class CompileEvent extends jdk.jfr.Event {
    @Label("Module")
    public String module;

    @Label("Size")
    @Description("The size of the wasm module compiled")
    @DataAmount
    public long size;

    @Label("Variant")
    @Description("plain, or metered (fuel-instrumented)")
    public String variant;

    @Label("Cache Hit")
    @Description("The bytecode came from the compile cache")
    public boolean cacheHit;

    @Label("Outcome")
    @Description("compiled; partly interpreted (functions too large for a JVM method); or failed")
    public String outcome;
}
