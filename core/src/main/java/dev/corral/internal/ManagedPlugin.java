package dev.corral.internal;

import dev.corral.Plugin;

/**
 * What a pool needs of an instance beyond the public {@link Plugin}: to park it while idle (so a
 * caller who kept a reference after returning the lease fails fast instead of touching the next
 * borrower's state), to lend it to a borrowing thread, and to know whether a call failed.
 */
public interface ManagedPlugin extends Plugin {
    /**
     * Marks the instance idle in a pool: every call fails with IllegalStateException until
     * {@link #lend}. Must be called by the owning thread (or on an unowned instance), outside any
     * call.
     */
    void park();

    /** Hands a parked instance to {@code borrower}, which owns it from now on. */
    void lend(Thread borrower);

    /**
     * True once a call into the instance ended with an exception (a trap, timeout, fuel or stack
     * exhaustion, exit, or a host function's failure) and no restore has happened since: its state
     * may be anything, so a pool never hands it out as is.
     */
    boolean faulted();

    /**
     * A snapshot like {@link #snapshot()} that shares the memory chunks it has in common with
     * {@code like}, a snapshot of another instance of the same module (ignored otherwise): a
     * pool's instances then hold one copy of the memory they were initialized to.
     */
    dev.corral.PluginSnapshot snapshotLike(dev.corral.PluginSnapshot like);

    /**
     * True when the module now has a better variant than the one this instance runs (tiered
     * compilation finished after it was made): a pool discards it rather than reusing it.
     */
    boolean superseded();

    /** True once closed. */
    boolean isClosed();
}
