package dev.corral.internal.events;

import dev.corral.CallInterruptedException;
import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
import dev.corral.GuestMemoryException;
import dev.corral.HostFunctionException;
import dev.corral.PluginExitException;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import jdk.jfr.FlightRecorder;

/**
 * Corral's JFR events (package {@code dev.corral.internal.events}, names {@code dev.corral.*}):
 * emitted from cold paths, or from hot paths behind {@code isEnabled()}, which is a constant until
 * a recording enables the event. Reading them: site/observability.md.
 */
public final class Events {
    private Events() {}

    /**
     * Whether JFR is running in this JVM (a recording was started, now or before). Until then no
     * event class is even loaded: loading the first one initializes JFR's metadata machinery
     * (~100 classes), which a one-shot command like {@code corral run} should not pay for.
     */
    public static boolean jfr() {
        return FlightRecorder.isInitialized();
    }

    /** The call path's test: a constant-cost volatile read while JFR is off. */
    public static boolean callsRecorded() {
        return FlightRecorder.isInitialized() && PluginCallEvent.enabled();
    }

    /** The {@code outcome} of a call that threw {@code e}. */
    public static String outcome(Throwable e) {
        if (e instanceof TrapException) {
            return "trap";
        }
        if (e instanceof CallTimeoutException) {
            return "timeout";
        }
        if (e instanceof FuelExhaustedException) {
            return "fuel";
        }
        if (e instanceof StackExhaustedException) {
            return "stack";
        }
        if (e instanceof PluginExitException) {
            return "exit";
        }
        if (e instanceof HostFunctionException) {
            return "host-function";
        }
        if (e instanceof GuestMemoryException) {
            return "memory";
        }
        if (e instanceof CallInterruptedException) {
            return "interrupted";
        }
        return "error";
    }

    /** A call failed with {@code e}: a host function's failure gets its own event. Returns the outcome. */
    public static String failed(String module, String export, RuntimeException e) {
        if (e instanceof HostFunctionException && jfr()) {
            var event = new HostFunctionFailureEvent();
            if (event.isEnabled()) {
                var cause = e.getCause() != null ? e.getCause() : e;
                event.module = module;
                event.export = export;
                event.function = ((HostFunctionException) e).function();
                event.exception = cause.getClass();
                event.message = cause.getMessage();
                event.commit();
            }
        }
        return outcome(e);
    }

    public static void commit(PluginCallEvent event, String module, String export, long fuel, String outcome) {
        event.end();
        if (event.shouldCommit()) {
            event.module = module;
            event.export = export;
            event.fuel = fuel;
            event.outcome = outcome;
            event.commit();
        }
    }

    public static void poolWait(PoolWaitEvent event, String module, int maxSize, String outcome) {
        event.end();
        if (event.shouldCommit()) {
            event.module = module;
            event.maxSize = maxSize;
            event.outcome = outcome;
            event.commit();
        }
    }

    public static void denied(String module, String capability, String function, String reason) {
        if (!jfr()) {
            return;
        }
        var event = new CapabilityDeniedEvent();
        if (event.isEnabled()) {
            event.module = module;
            event.capability = capability;
            event.function = function;
            event.reason = reason;
            event.commit();
        }
    }
}
