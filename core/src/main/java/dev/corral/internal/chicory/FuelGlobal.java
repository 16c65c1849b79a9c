package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.internal.Deadline;

/**
 * The fuel global and its reserve (see {@link FuelInstrumenter}), which double as the way a
 * metered call is stopped at its deadline without an interrupt: while the plugin's running call
 * is fired ({@link Deadline#fired}), the guest reads them as {@link #STOPPED}, so its next refill
 * or direct charge finds no fuel and traps, and the guard reports the call's timeout. Compiled
 * code reads a global through {@code getValue()}, the interpreter through {@code getValueLow()}.
 *
 * <p>The host's own bookkeeping (the guard, {@link MeteredEntry}, host-call charges,
 * {@code fuelRemaining()}) reads {@link #raw}: a fired call's fuel must not look spent to it. A
 * stopped guest may write values derived from STOPPED into the globals before it traps;
 * {@link #sane} tells those apart.
 */
final class FuelGlobal extends GlobalInstance {
    /**
     * What the guest reads while stopped: below zero whatever a refill adds to it (a local is at
     * least -2^30), far from overflow whatever a charge subtracts, and its low 32 bits are 0, so a
     * take of it hands a clone no fuel.
     */
    static final long STOPPED = Long.MIN_VALUE / 2;

    private final Deadline deadline;

    FuelGlobal(long value, long high, ValType type, MutabilityType mutability, Deadline deadline) {
        super(value, high, type, mutability);
        this.deadline = deadline;
    }

    @Override
    public long getValue() {
        return deadline.fired() ? STOPPED : super.getValue();
    }

    @Override
    public long getValueLow() {
        return deadline.fired() ? STOPPED : super.getValue();
    }

    /** The value as stored, fired or not: for the host's bookkeeping. */
    long raw() {
        return super.getValue();
    }

    /** Whether {@code v} is real fuel rather than something a stopped guest derived from {@link #STOPPED}. */
    static boolean sane(long v) {
        return v > STOPPED / 2;
    }
}
