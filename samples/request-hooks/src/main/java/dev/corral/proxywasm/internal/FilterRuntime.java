package dev.corral.proxywasm.internal;

import dev.corral.proxywasm.FailStrategy;
import dev.corral.proxywasm.FaultKind;
import dev.corral.proxywasm.FilterFault;
import dev.corral.proxywasm.FilterStats;
import dev.corral.proxywasm.Request;
import dev.corral.proxywasm.Response;
import dev.corral.proxywasm.Upstream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One filter at work: lends a VM to each stream, runs the stream's callbacks through
 * {@link StreamDriver}, forwards to the next stage, and applies the fail strategy when a VM faults
 * (the faulted VM is discarded; the pool starts a fresh one for the next stream). A background
 * thread delivers {@code proxy_on_tick} to every idle VM whose tick is due and
 * {@code proxy_on_queue_ready} to an idle VM.
 */
public final class FilterRuntime implements AutoCloseable {
    private final FilterHost host;
    private final VmPool pool;
    private final Map<FaultKind, FailStrategy> strategies;
    private final List<Consumer<FilterFault>> listeners;
    private final int chunkBytes;
    private final long pauseTimeoutNanos;
    private final LongAdder requests = new LongAdder();
    private final LongAdder localReplies = new LongAdder();
    private final LongAdder replaced = new LongAdder();
    private final LongAdder ticks = new LongAdder();
    private final Map<FaultKind, LongAdder> faults = new EnumMap<>(FaultKind.class);
    private final ConcurrentLinkedQueue<Integer> readyQueues = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService background;
    private volatile long lastSweep = System.nanoTime();

    public FilterRuntime(FilterHost host, VmPool pool, Map<FaultKind, FailStrategy> strategies,
            List<Consumer<FilterFault>> listeners, int chunkBytes, long pauseTimeoutNanos) {
        this.host = host;
        this.pool = pool;
        this.strategies = strategies;
        this.listeners = listeners;
        this.chunkBytes = chunkBytes;
        this.pauseTimeoutNanos = pauseTimeoutNanos;
        for (FaultKind k : FaultKind.values()) {
            faults.put(k, new LongAdder());
        }
        host.shared.onEnqueue(readyQueues::add);
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "corral-proxywasm-" + host.name);
            t.setDaemon(true);
            return t;
        });
        background.scheduleWithFixedDelay(this::background, 10, 10, TimeUnit.MILLISECONDS);
    }

    public Response intercept(Request received, Upstream next) throws IOException {
        requests.increment();
        VmPool.Lease lease;
        try {
            lease = pool.borrow();
        } catch (VmFault f) {
            return failed(f, received, next, null);
        }
        Vm vm = lease.vm();
        StreamState s;
        try {
            s = vm.state.newStream(received.copy());
        } catch (RuntimeException e) {
            // the host failed before the filter saw the stream (its clock, say): the VM is fine and goes back
            lease.close();
            return failed(new VmFault(FaultKind.HOST, "proxy_on_context_create", "the host could not start the stream: "
                    + e, e), received, next, null);
        }
        var driver = new StreamDriver(vm, s, chunkBytes, pauseTimeoutNanos, ticks::increment);
        Response upstream = null;
        try {
            vm.call("proxy_on_context_create", s.contextId, VmState.ROOT_CONTEXT_ID);
            boolean forward = !s.closed && s.localReply == null && driver.request();
            Response result;
            if (forward) {
                upstream = next.send(s.request);
                s.response = upstream.copy();
            } else {
                s.response = stoppedResponse(s);
            }
            s.localReply = null;
            if (!driver.response()) {
                s.response = stoppedResponse(s);
            }
            result = s.response;
            if (!forward || !"via_upstream".equals(result.details())) {
                localReplies.increment();
            }
            finish(driver, vm);
            return result;
        } catch (VmFault f) {
            vm.discard(); // whatever the kind, the stream's context is left mid-stream in this VM
            return failed(f, received, next, upstream);
        } catch (IOException | RuntimeException e) {
            if (!vm.faulted()) {
                finish(driver, vm); // the upstream failed: the filter still gets to end its stream
            }
            throw e;
        } finally {
            vm.state.endStream(s);
            if (vm.faulted()) {
                replaced.increment();
            } else {
                tickIfDue(vm); // a fault here is reported and costs the VM, never this stream's response
            }
            lease.close();
        }
    }

    private void finish(StreamDriver driver, Vm vm) {
        try {
            driver.finish();
        } catch (VmFault f) {
            report(f, FailStrategy.FAIL_OPEN); // the response is decided; only the VM is lost
        }
    }

    private static Response stoppedResponse(StreamState s) {
        if (s.localReply != null) {
            return s.localReply;
        }
        var r = Response.of(500, "text/plain", "stream closed by filter\n").details("closed_by_filter");
        r.headers().add("connection", "close");
        return r;
    }

    private Response failed(VmFault f, Request received, Upstream next, Response upstream) throws IOException {
        FailStrategy strategy = strategies.getOrDefault(f.kind, FailStrategy.FAIL_CLOSED);
        report(f, strategy);
        if (strategy == FailStrategy.FAIL_OPEN) {
            return upstream != null ? upstream : next.send(received);
        }
        int status = f.kind == FaultKind.OVERLOADED ? 503 : 500;
        return Response.of(status, "text/plain", status == 503 ? "filter overloaded\n" : "filter failed\n")
                .details("filter_fault:" + f.kind.name().toLowerCase(java.util.Locale.ROOT));
    }

    private void report(VmFault f, FailStrategy strategy) {
        faults.get(f.kind).increment();
        // the cause is Corral's exception, or none when the host itself found the fault (STALLED, a refused start)
        var fault = new FilterFault(host.name, f.kind, f.callback, strategy, f.getCause());
        // the logger may be what failed (a HOST fault from proxy_log): the request is answered all the same
        logQuietly(fault.toString().replace("filter '" + host.name + "' ", "")
                + (f.getCause() == null ? ": " + f.getMessage() : ""));
        for (Consumer<FilterFault> l : listeners) {
            try {
                l.accept(fault);
            } catch (RuntimeException e) {
                logQuietly("fault listener failed: " + e);
            }
        }
    }

    private void logQuietly(String message) {
        try {
            host.log(Level.WARNING, message);
        } catch (RuntimeException ignored) {
            // a failing logger must not turn a handled fault into an unhandled one
        }
    }

    /**
     * Every period, ticks each idle VM whose own tick is due (each VM has its root context and
     * timer, as each Envoy worker's VM does: a filter that flushes per-VM state on its tick must
     * see every VM tick, not only the one most recently used), and tells one idle VM about each
     * enqueued item. A VM busy with a stream gets its due tick when the stream ends
     * ({@link #tickIfDue}), and a paused stream ticks its own VM ({@link StreamDriver}).
     */
    private void background() {
        try {
            long period = host.tickPeriodMillis.get();
            long now = System.nanoTime();
            boolean sweep = period > 0 && now - lastSweep >= period * 1_000_000;
            if (!sweep && readyQueues.isEmpty()) {
                return;
            }
            if (sweep) {
                lastSweep = now;
            }
            // hold every idle VM at once: the pool hands out the most recently returned first, so
            // borrowing them one at a time would reach the same VM every time
            List<VmPool.Lease> held = new ArrayList<>();
            try {
                VmPool.Lease lease;
                while ((lease = pool.tryBorrowIdle()) != null) { // ends: a held VM is not idle
                    held.add(lease);
                }
                for (VmPool.Lease l : held) {
                    Vm vm = l.vm();
                    if (sweep && vm.tickDue(period, now)) {
                        deliver(vm, true);
                    }
                }
                for (VmPool.Lease l : held) {
                    if (readyQueues.isEmpty()) {
                        break;
                    }
                    deliver(l.vm(), false);
                }
            } finally {
                for (VmPool.Lease l : held) {
                    l.close();
                }
            }
        } catch (RuntimeException e) {
            logQuietly("background task failed: " + e);
        }
    }

    /** A tick, or the ready queues' notices, to one VM; a fault loses only that VM. */
    private void deliver(Vm vm, boolean tick) {
        if (vm.faulted()) {
            return;
        }
        try {
            if (tick) {
                vm.tick();
                ticks.increment();
            } else {
                Integer q;
                while (!vm.faulted() && (q = readyQueues.poll()) != null) {
                    if (vm.shape.has("proxy_on_queue_ready")) {
                        vm.call("proxy_on_queue_ready", VmState.ROOT_CONTEXT_ID, q);
                    }
                }
            }
        } catch (VmFault f) {
            report(f, FailStrategy.FAIL_OPEN);
            replaced.increment();
        }
    }

    /**
     * At the end of a stream, on the request's thread: the VM's tick, if it came due while the VM
     * was busy (under steady traffic the most used VM is rarely idle when the background looks).
     */
    private void tickIfDue(Vm vm) {
        if (!vm.faulted() && vm.tickDue(host.tickPeriodMillis.get(), System.nanoTime())) {
            deliver(vm, true);
        }
    }

    public FilterStats stats() {
        Map<FaultKind, Long> f = new EnumMap<>(FaultKind.class);
        faults.forEach((k, v) -> {
            if (v.sum() > 0) {
                f.put(k, v.sum());
            }
        });
        return new FilterStats(requests.sum(), localReplies.sum(), Map.copyOf(f), pool.started.sum(), replaced.sum(),
                host.deniedCalls.sum(), ticks.sum());
    }

    public VmPool pool() {
        return pool;
    }

    @Override
    public void close() {
        background.shutdownNow();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
