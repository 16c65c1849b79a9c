package dev.corral.internal.chicory;

import dev.corral.LimitSource;
import dev.corral.PluginFunction;
import java.time.Duration;

/**
 * The limits an outermost call runs under: the policy's (one object per plugin), a view's own
 * (one per {@link PluginFunction#withTimeout}/{@code withFuel} view), or, during
 * initialization, what is left of initialization's. Immutable: a call allocates none.
 */
final class CallLimits {
    final Duration timeout; // null: no deadline
    final long timeoutNanos; // what the deadline is armed with
    final LimitSource timeoutSource;
    final long fuel; // per-call budget, when metered
    final LimitSource fuelSource;

    CallLimits(Duration timeout, LimitSource timeoutSource, long fuel, LimitSource fuelSource) {
        this(timeout, timeout == null ? 0 : timeout.toNanos(), timeoutSource, fuel, fuelSource);
    }

    CallLimits(Duration timeout, long timeoutNanos, LimitSource timeoutSource, long fuel, LimitSource fuelSource) {
        this.timeout = timeout;
        this.timeoutNanos = timeoutNanos;
        this.timeoutSource = timeoutSource;
        this.fuel = fuel;
        this.fuelSource = fuelSource;
    }
}
