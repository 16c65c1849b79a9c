package dev.corral.internal;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Calls, failures and fuel summed over instances, without a shared counter on the call path: each
 * instance counts in plain fields of its own (it is confined to one thread), and this sums the live
 * instances' fields when asked, plus what closed instances left behind. Figures read while calls
 * run may lag by those calls. An instance dropped without close() takes its counts with it when it
 * is collected (the registry holds it weakly, so that it is never a leak).
 */
public final class Usage {
    /** What an instance counts. */
    public interface Counted {
        long calls();

        long failedCalls();

        long fuelBilled();
    }

    private final Usage parent;
    private final Set<Counted> live = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final LongAdder instances = new LongAdder();
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();
    private final LongAdder fuel = new LongAdder();

    /** @param parent also told of every instance (the engine's, for a module's), or null */
    public Usage(Usage parent) {
        this.parent = parent;
    }

    public void register(Counted c) {
        live.add(c);
        instances.increment();
        if (parent != null) {
            parent.register(c);
        }
    }

    /** The instance closed: its counts stay in the totals. */
    public void retire(Counted c) {
        if (live.remove(c)) {
            calls.add(c.calls());
            failedCalls.add(c.failedCalls());
            fuel.add(c.fuelBilled());
        }
        if (parent != null) {
            parent.retire(c);
        }
    }

    /** {instances ever, live instances, calls, failed calls, fuel}. */
    public long[] snapshot() {
        long c = calls.sum();
        long f = failedCalls.sum();
        long u = fuel.sum();
        int n;
        synchronized (live) {
            n = live.size();
            for (Counted x : live) {
                c += x.calls();
                f += x.failedCalls();
                u += x.fuelBilled();
            }
        }
        return new long[] {instances.sum(), n, c, f, u};
    }
}
