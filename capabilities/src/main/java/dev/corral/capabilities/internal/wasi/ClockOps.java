package dev.corral.capabilities.internal.wasi;

import dev.corral.CallInterruptedException;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import java.util.ArrayList;
import java.util.List;

/** clock_res_get, clock_time_get and poll_oneoff, all on the plugin's granted clock. */
final class ClockOps {
    private static final int MAX_SUBSCRIPTIONS = 1024;
    private final WasiInstance w;

    ClockOps(WasiInstance w) {
        this.w = w;
    }

    private static void checkId(long id) throws Failure {
        if (id < 0 || id > 3) {
            throw Failure.fail(Errno.INVAL);
        }
    }

    private long now(long id) {
        return id == 0 ? w.clock.realtimeNanos() : w.clock.monotonicNanos();
    }

    int resolution(HostContext c, long[] a) throws Failure {
        checkId(a[0]);
        c.memory().writeLong((int) a[1], 1L);
        return Errno.SUCCESS;
    }

    int time(HostContext c, long[] a) throws Failure {
        checkId(a[0]);
        if (!w.clockGranted) {
            // success, so language runtimes that treat a clock errno as fatal still run;
            // counted so the host sees the plugin asked
            Functions.denied(w, "clock_time_get", Errno.SUCCESS, "no clock granted: reads 0");
        }
        c.memory().writeLong((int) a[2], now(a[0]));
        return Errno.SUCCESS;
    }

    /**
     * Descriptors never block here (stdin is at end of file, outputs and files are always
     * ready), so a poll with any descriptor subscription answers at once. Otherwise the earliest
     * clock subscription is slept on: really on the system clock, at most until the call's
     * deadline (then the call times out, as a guest loop would), interruptibly; at once on fixed
     * and virtual clocks and without a clock grant. Timeouts are unsigned: u64::MAX is "forever".
     */
    int poll(HostContext c, long[] a) throws Failure {
        GuestMemory m = c.memory();
        int in = (int) a[0];
        int out = (int) a[1];
        long n = Integer.toUnsignedLong((int) a[2]);
        if (n == 0 || n > MAX_SUBSCRIPTIONS) {
            throw Failure.fail(Errno.INVAL);
        }
        int events = 0;
        long earliest = Long.MAX_VALUE; // unsigned nanoseconds from now, saturated
        int earliestIndex = -1;
        List<Integer> fdSubs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int s = in + i * 48;
            int tag = m.readByte(s + 8);
            if (tag == 0) {
                if (!w.clockGranted) {
                    // Go's runtime panics when a sleep fails: return at once, like a fixed clock
                    Functions.denied(w, "poll_oneoff", Errno.SUCCESS, "no clock granted: the sleep returns at once");
                }
                int id = m.readInt(s + 16);
                long timeout = m.readLong(s + 24);
                boolean abs = (m.readByte(s + 40) & 1) != 0;
                checkId(id);
                long rel;
                if (abs) {
                    long now = now(id);
                    rel = Long.compareUnsigned(timeout, now) <= 0 ? 0 : timeout - now;
                } else {
                    rel = timeout;
                }
                if (rel < 0) {
                    rel = Long.MAX_VALUE; // past 2^63 ns (292 years): forever
                }
                if (earliestIndex < 0 || rel < earliest) {
                    earliest = rel;
                    earliestIndex = i;
                }
            } else if (tag == 1 || tag == 2) {
                fdSubs.add(i);
            } else {
                throw Failure.fail(Errno.INVAL);
            }
        }
        for (int i : fdSubs) {
            int s = in + i * 48;
            int e = out + events * 32;
            int tag = m.readByte(s + 8);
            int fdn = m.readInt(s + 16);
            int err = w.fds.contains(fdn) ? Errno.SUCCESS : Errno.BADF;
            m.writeLong(e, m.readLong(s));
            m.writeInt(e + 8, err | (tag << 16));
            m.writeLong(e + 16, 0);
            m.writeInt(e + 24, 0);
            events++;
        }
        if (events == 0 && earliestIndex >= 0) {
            if (earliest > 0) {
                sleep(c, earliest);
            }
            int s = in + earliestIndex * 48;
            m.writeLong(out, m.readLong(s));
            m.writeInt(out + 8, 0);
            m.writeLong(out + 16, 0);
            m.writeInt(out + 24, 0);
            events = 1;
        }
        m.writeInt((int) a[3], events);
        return Errno.SUCCESS;
    }

    /** Sleeps {@code nanos} on the plugin's clock, but never past the call's deadline. */
    private void sleep(HostContext c, long nanos) {
        long left = c.nanosLeft();
        try {
            if (left < nanos) {
                // the deadline comes first: wait for it, then end the call as a guest loop would.
                // The watchdog starts a call's clock when it first sees the call, so the deadline
                // may fire up to a tick after nanosLeft() first said: sleep again while time is
                // left. A clock whose sleep returns early (not in real time) ends the guest's sleep
                // early instead.
                while (left > 0) {
                    long t0 = System.nanoTime();
                    w.clock.sleepNanos(left);
                    if (System.nanoTime() - t0 < left) {
                        break;
                    }
                    left = c.nanosLeft();
                }
                c.checkDeadline();
            } else {
                w.clock.sleepNanos(nanos);
            }
        } catch (InterruptedException e) {
            // the host (or the watchdog at the deadline) interrupted us
            Thread.currentThread().interrupt();
            c.checkDeadline();
            throw new CallInterruptedException("poll_oneoff");
        }
    }
}
