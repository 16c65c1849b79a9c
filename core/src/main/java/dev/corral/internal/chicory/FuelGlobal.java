package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.internal.Deadline;

/**
 * The fuel global (see {@link FuelInstrumenter}), which doubles as the way a metered call is
 * stopped at its deadline without an interrupt: while the plugin's running call is fired
 * ({@link Deadline#fired}), the guest reads it as {@link #STOPPED}, below zero, so its next refill
 * (which checks the fuel global first, see {@link FuelCode#refillBody}) or direct charge traps,
 * and the guard reports the call's timeout. Compiled code reads a global through
 * {@code getValue()}, the interpreter through {@code getValueLow()}.
 *
 * <p>Only the fuel global, not its reserve: a host call under fuel reads the reserve three times
 * and the fuel global once (the flush before it and the reload after it), and each read of this
 * class costs a type check and the deadline's state (with both globals of this class a host call
 * under fuel went from 3.3 to 7 ns in {@code CallCost}).
 *
 * <p>The host's own bookkeeping (the guard, {@link MeteredEntry}, host-call charges,
 * {@code fuelRemaining()}) reads {@link #raw}: a fired call's fuel must not look spent to it. A
 * stopped guest may write values derived from STOPPED into the globals before it traps;
 * {@link #sane} tells those apart.
 */
final class FuelGlobal extends GlobalInstance {
    /**
     * What the guest reads while stopped: below zero, far from overflow whatever a charge
     * subtracts, and its low 32 bits are 0, so a take of it hands a clone no fuel (its first
     * charge then calls the refill, which traps).
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
