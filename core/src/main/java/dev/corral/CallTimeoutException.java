package dev.corral;

import java.time.Duration;
import java.util.Objects;

/**
 * A call ran past its wall-clock timeout and was stopped: the policy's, the call's own
 * ({@link PluginFunction#withTimeout}), or initialization's ({@link PluginPolicy.Builder#initTimeout});
 * {@link #source()} says which, and {@link #timeout()} is the limit that applied.
 */
public final class CallTimeoutException extends CorralException {
    private static final long serialVersionUID = 1L;
    private final Duration timeout;
    private final LimitSource source;

    /** A call stopped by its policy's timeout. */
    public CallTimeoutException(String export, Duration timeout) {
        this(export, timeout, LimitSource.POLICY);
    }

    public CallTimeoutException(String export, Duration timeout, LimitSource source) {
        super(message(export, timeout, source));
        this.timeout = timeout;
        this.source = Objects.requireNonNull(source, "source");
    }

    private static String message(String export, Duration timeout, LimitSource source) {
        String limit = source.timeoutName() + " of " + Durations.format(timeout);
        if (source == LimitSource.INITIALIZATION) {
            return "initialization ('" + export + "') exceeded its " + limit
                    + " (PluginPolicy.Builder.initTimeout) and was stopped";
        }
        return "call to '" + export + "' exceeded its " + limit + " and was stopped";
    }

    /** The timeout that applied to the call (for initialization, the whole phase's). */
    public Duration timeout() {
        return timeout;
    }

    /** Which limit it was: the policy's, the call's own, or initialization's. */
    public LimitSource source() {
        return source;
    }
}
