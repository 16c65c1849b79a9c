package dev.corral.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every interleaving of the owner's moves (arm, disarm) with the watchdog's
 * (a fire on the state it read, possibly stale; engine close), replayed deterministically on
 * one thread: {@code fire(s)} is the watchdog's CAS on the state {@code s} it read earlier.
 * The rules: a fuel-mode call is never interrupted; a watchdog that read call k never fires on
 * call k+1; an interrupt-mode call's fire is always seen by its disarm.
 */
class DeadlineTest {
    private static final long MINUTE = 60_000_000_000L;
    private final Thread self = Thread.currentThread();

    @AfterEach
    void clear() {
        Thread.interrupted();
    }

    @Test
    void aFuelModeCallFiredWhileRunningIsStoppedWithoutAnInterrupt() {
        var d = new Deadline();
        long t = d.arm(self, MINUTE, true);
        assertFalse(d.fired());
        d.fireNow();
        assertTrue(d.fired(), "the guest's fuel must read as empty now");
        assertFalse(self.isInterrupted(), "a fuel-mode call is never interrupted");
        assertTrue(d.disarm(t));
        assertFalse(d.interrupts());
        assertFalse(d.fired(), "after disarm nothing reads as fired");
        assertFalse(self.isInterrupted());
    }

    @Test
    void aFuelModeCallThatEndsBeforeTheFireIsNotFired() {
        var d = new Deadline();
        long t = d.arm(self, MINUTE, true);
        long seen = d.state(); // the watchdog reads the running call...
        assertFalse(d.disarm(t)); // ...the owner ends it...
        d.fire(seen); // ...and the watchdog's CAS on what it read fails
        assertFalse(d.fired());
        long t2 = d.arm(self, MINUTE, true);
        d.fire(seen); // a stale read of call k never fires on call k+1
        assertFalse(d.fired());
        assertFalse(d.disarm(t2));
        assertFalse(self.isInterrupted());
    }

    @Test
    void aFireBetweenTheOwnersReadAndItsStoreIsOverwrittenHarmlessly() {
        // the owner's disarm reads GUEST, then the watchdog fires, then the owner stores DONE:
        // replayed as "fire, then disarm of a call that had ended": the call's result stands
        // (disarm reports fired, the guard returns the result since nothing failed), and the
        // next call starts clean
        var d = new Deadline();
        long t = d.arm(self, MINUTE, true);
        d.fireNow();
        assertTrue(d.disarm(t));
        long t2 = d.arm(self, MINUTE, true);
        assertFalse(d.fired(), "call k's FIRED must not leak into call k+1");
        assertFalse(d.disarm(t2));
        assertFalse(self.isInterrupted());
    }

    @Test
    void anInterruptModeCallKeepsTodaysProtocol() {
        var d = new Deadline();
        long t = d.arm(self, MINUTE, false);
        long seen = d.state();
        assertFalse(d.disarm(t));
        long t2 = d.arm(self, MINUTE, false);
        d.fire(seen); // stale: no interrupt on call k+1
        assertFalse(self.isInterrupted());
        d.fireNow();
        assertTrue(self.isInterrupted());
        assertTrue(d.disarm(t2));
        assertTrue(d.interrupts());
    }

    @Test
    void theWatchdogsClockFiresBothModesOnlyWhenDue() {
        for (boolean byFuel : new boolean[] {true, false}) {
            var d = new Deadline();
            long t = d.arm(self, 1_000, byFuel);
            d.check(0); // first sight starts the clock
            d.check(999);
            assertFalse(d.fired(), "fired early");
            d.check(1_000);
            assertTrue(d.fired());
            assertEquals(0, d.nanosLeft());
            assertEquals(!byFuel, Thread.interrupted());
            assertTrue(d.disarm(t));
            assertEquals(Long.MAX_VALUE, d.nanosLeft());
        }
    }

    /**
     * The real race: an owner arming and disarming 200,000 calls (a third of them in interrupt
     * mode) against a thread firing whatever it reads, as fast as it can. A
     * fuel-mode call must never find its thread interrupted; an interrupt-mode call's disarm must
     * report every interrupt it finds (so the guard takes it back), and none may arrive later.
     */
    @Test
    void ownerAndWatchdogRacing() throws Exception {
        var d = new Deadline();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var watchdog = new Thread(() -> {
            while (!stop.get()) {
                d.fire(d.state());
            }
        });
        watchdog.start();
        try {
            String failure = null;
            long fired = 0;
            for (int i = 0; i < 200_000 && failure == null; i++) {
                boolean hosted = i % 3 == 0;
                long t = d.arm(self, MINUTE, !hosted);
                for (int k = i & 255; k > 0; k--) {
                    Thread.onSpinWait(); // a call of varying length, so the watchdog wins some
                }
                if (self.isInterrupted() && !hosted) {
                    failure = "call " + i + ": a fuel-mode call was interrupted";
                }
                boolean f = d.disarm(t);
                fired += f ? 1 : 0;
                boolean interrupted = Thread.interrupted();
                if (interrupted && !(f && d.interrupts())) {
                    failure = "call " + i + ": an interrupt the disarm did not report (fired " + f + ", hosted " + hosted + ")";
                }
                if (f && d.interrupts() && !interrupted) {
                    failure = "call " + i + ": reported interrupted, but no interrupt arrived";
                }
            }
            assertEquals(null, failure);
            assertTrue(fired > 0, "the watchdog never won: the test did not race");
        } finally {
            stop.set(true);
            watchdog.join();
        }
        assertFalse(Thread.interrupted(), "an interrupt arrived after the last call ended");
    }
}
