package dev.corral.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The deadline's protocol (the owner's arm and CAS disarm against the watchdog's CAS and
 * interrupt), its interleavings replayed deterministically on one thread ({@code fire(s)} is the
 * watchdog's move on the state {@code s} it read earlier, possibly stale), then raced for real.
 * The rules: a watchdog that read call k never fires on call k+1; every interrupt the watchdog
 * sends is reported by the disarm of the call it was sent to (so the guard takes it back), and
 * none arrives after that disarm.
 */
class DeadlineTest {
    private static final long MINUTE = 60_000_000_000L;
    private final Thread self = Thread.currentThread();

    @AfterEach
    void clear() {
        Thread.interrupted();
    }

    @Test
    void aFireOnTheRunningCallInterruptsItAndItsDisarmSaysSo() {
        var d = new Deadline();
        long t = d.arm(self, MINUTE);
        d.fireNow();
        assertTrue(self.isInterrupted());
        assertEquals(0, d.nanosLeft(), "a fired call has no time left");
        assertTrue(d.disarm(t));
    }

    @Test
    void aWatchdogThatReadCallKNeverFiresOnCallKPlusOne() {
        var d = new Deadline();
        long t = d.arm(self, MINUTE);
        long seen = d.state(); // the watchdog reads the running call...
        assertFalse(d.disarm(t)); // ...the owner ends it...
        d.fire(seen); // ...and the watchdog's CAS on what it read fails
        assertFalse(self.isInterrupted());
        long t2 = d.arm(self, MINUTE);
        d.fire(seen); // still call k's state: no interrupt for call k+1
        assertFalse(self.isInterrupted());
        assertFalse(d.disarm(t2));
        assertEquals(Long.MAX_VALUE, d.nanosLeft(), "between calls there is no deadline");
    }

    @Test
    void theWatchdogsClockFiresOnlyWhenDue() {
        var d = new Deadline();
        long t = d.arm(self, 1_000);
        d.check(0); // first sight starts the clock
        d.check(999);
        assertFalse(self.isInterrupted(), "fired early");
        d.check(1_000);
        assertTrue(Thread.interrupted());
        assertTrue(d.disarm(t));
    }

    /**
     * The real race: an owner arming and disarming 200,000 calls of varying length against a
     * thread firing whatever it reads, as fast as it can.
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
                long t = d.arm(self, MINUTE);
                for (int k = i & 255; k > 0; k--) {
                    Thread.onSpinWait(); // a call of varying length, so the watchdog wins some
                }
                boolean f = d.disarm(t);
                fired += f ? 1 : 0;
                boolean interrupted = Thread.interrupted();
                if (interrupted != f) {
                    failure = "call " + i + ": disarm said fired=" + f + " but the thread's interrupt was " + interrupted;
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
