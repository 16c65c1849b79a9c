package dev.corral;

import java.time.Duration;

/** A call ran past the wall-clock timeout of its plugin's policy and was stopped. */
public final class CallTimeoutException extends CorralException {
    private static final long serialVersionUID = 1L;
    private final Duration timeout;

    public CallTimeoutException(String export, Duration timeout) {
        super("call to '" + export + "' exceeded its timeout of " + Durations.format(timeout)
                + " and was stopped");
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
