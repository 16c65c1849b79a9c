package dev.corral.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A borrow that found every instance of a pool lent out and waited (its duration is the wait). */
@Name("dev.corral.PoolBorrowWait")
@Label("Pool Borrow Wait")
@Category({"Corral", "Pools"})
@Description("A borrow from a plugin pool that had to wait for an instance")
@StackTrace(true)
public final class PoolWaitEvent extends jdk.jfr.Event {
    @Label("Module")
    public String module;

    @Label("Pool Size")
    @Description("The pool's maximum size")
    public int maxSize;

    @Label("Outcome")
    @Description("borrowed, timeout (PoolExhaustedException), closed or interrupted")
    public String outcome;
}
