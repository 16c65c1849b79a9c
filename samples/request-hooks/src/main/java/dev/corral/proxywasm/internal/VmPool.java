package dev.corral.proxywasm.internal;

import dev.corral.proxywasm.FaultKind;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The VMs of one filter: at most {@code max}, each lent to one stream at a time for the stream's
 * whole life (its context lives in that VM), like Envoy's one VM per worker. Started VMs are kept
 * and reused, with their state (root context, caches) intact, as Envoy keeps a worker's VM; a VM
 * returned {@link Vm#faulted() faulted} is closed and a fresh one is started on demand.
 *
 * <p>This is the seam where core's {@code PluginPool} (issue 11) plugs in once it lands: the same
 * borrow / return-or-discard contract, without resets between borrows.
 */
public final class VmPool implements AutoCloseable {
    private final Supplier<Vm> factory;
    private final Semaphore permits;
    private final ConcurrentLinkedDeque<Vm> idle = new ConcurrentLinkedDeque<>();
    private final Duration borrowTimeout;
    private final AtomicInteger live = new AtomicInteger();
    public final LongAdder started = new LongAdder();
    public final LongAdder discarded = new LongAdder();
    private volatile boolean closed;

    public VmPool(Supplier<Vm> factory, int max, Duration borrowTimeout) {
        this.factory = factory;
        this.permits = new Semaphore(max, true);
        this.borrowTimeout = borrowTimeout;
    }

    /** A VM lent to the caller until {@link Lease#close}. */
    public final class Lease implements AutoCloseable {
        private Vm vm;

        private Lease(Vm vm) {
            this.vm = vm;
        }

        public Vm vm() {
            return vm;
        }

        @Override
        public void close() {
            Vm v = vm;
            if (v == null) {
                return;
            }
            vm = null;
            try {
                if (v.faulted() || closed) {
                    discard(v);
                } else {
                    v.release();
                    idle.push(v);
                }
            } finally {
                permits.release();
            }
        }
    }

    /** Waits up to the borrow timeout for a VM; starts one if none is idle. */
    public Lease borrow() {
        if (closed) {
            throw new IllegalStateException("the filter is closed");
        }
        try {
            if (!permits.tryAcquire(borrowTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new VmFault(FaultKind.OVERLOADED, "borrow", "all VMs of the filter were busy for "
                        + borrowTimeout.toMillis() + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmFault(FaultKind.OVERLOADED, "borrow", "interrupted while waiting for a VM", e);
        }
        return lend();
    }

    /** An idle VM without waiting, or null (for ticks and queue notices, which never start VMs). */
    public Lease tryBorrowIdle() {
        if (closed || idle.isEmpty() || !permits.tryAcquire()) {
            return null;
        }
        Vm vm = idle.poll();
        if (vm == null) {
            permits.release();
            return null;
        }
        return new Lease(vm);
    }

    private Lease lend() {
        Vm vm = idle.poll();
        if (vm == null) {
            try {
                vm = factory.get();
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
            live.incrementAndGet();
            started.increment();
        }
        return new Lease(vm);
    }

    /** Starts VMs until {@code n} are idle (or the pool is full); fails with the first start failure. */
    public void warm(int n) {
        for (int i = idle.size(); i < n; i++) {
            if (!permits.tryAcquire()) {
                return;
            }
            lend().close();
        }
    }

    private void discard(Vm v) {
        live.decrementAndGet();
        discarded.increment();
        v.close();
    }

    public int size() {
        return live.get();
    }

    public int idle() {
        return idle.size();
    }

    @Override
    public void close() {
        closed = true;
        Vm v;
        while ((v = idle.poll()) != null) {
            live.decrementAndGet();
            v.close();
        }
    }
}
