package dev.corral;

/**
 * A lease on one instance of a {@link PluginPool}. Use it from the thread that borrowed it, then
 * close it (try-with-resources) to give the instance back: the pool resets it (see {@link Reset})
 * and any thread may borrow it next. Calling the plugin after the lease is closed fails fast with
 * {@link IllegalStateException}.
 */
public interface PooledPlugin extends AutoCloseable {
    /** The borrowed instance; confined to the borrowing thread while the lease is open. */
    Plugin plugin();

    /**
     * Gives the instance back. Must be called on the borrowing thread, outside any call into the
     * plugin; a second close does nothing.
     */
    @Override
    void close();
}
