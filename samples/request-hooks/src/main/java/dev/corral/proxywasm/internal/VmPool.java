package dev.corral.proxywasm.internal;

import dev.corral.CallInterruptedException;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.PluginPool;
import dev.corral.PoolExhaustedException;
import dev.corral.PooledPlugin;
import dev.corral.Reset;
import dev.corral.proxywasm.FaultKind;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The VMs of one filter, on core's {@link PluginPool}: at most {@code max}, each lent to one
 * stream for the stream's whole life (its context lives in that VM), like Envoy's one VM per
 * worker. The pool's initializer starts each VM (start-up exports, root context, VM start,
 * configure) once. By default ({@link Reset#NONE}) a VM keeps its state between streams, as an
 * Envoy worker's VM does; with {@code isolate} the pool restores the started VM's snapshot after
 * every stream, so nothing one request leaves in the VM's memory reaches the next. A VM whose
 * callback faulted is never lent again: the pool discards it and starts a fresh one on demand.
 */
public final class VmPool implements AutoCloseable {
    private final PluginPool pool;
    private final Map<Plugin, Vm> vms = new ConcurrentHashMap<>();
    public final LongAdder started = new LongAdder();

    public VmPool(PluginModule module, PluginPolicy policy, VmBinder binder, ModuleShape shape, int max,
            Duration borrowTimeout, boolean isolate) {
        this.pool = PluginPool.builder(module).policy(policy).maxSize(max).borrowTimeout(borrowTimeout)
                .reset(isolate ? Reset.SNAPSHOT : Reset.NONE)
                .initializer(p -> {
                    Vm vm = Vm.start(p, binder.stateOf(p), shape, policy, binder.host.name);
                    vms.put(p, vm);
                    started.increment();
                })
                .build();
    }

    /** A VM lent to the caller until {@link #close}. */
    public final class Lease implements AutoCloseable {
        private final PooledPlugin lease;
        private final Vm vm;

        private Lease(PooledPlugin lease, Vm vm) {
            this.lease = lease;
            this.vm = vm;
        }

        public Vm vm() {
            return vm;
        }

        @Override
        public void close() {
            if (vm.faulted()) {
                vms.remove(vm.plugin);
                vm.close(); // a VM faulted by the host (a stalled stream, say) is not reused either
            }
            lease.close();
        }
    }

    /** Waits up to the borrow timeout for a VM; a new one is started while the pool is below its size. */
    public Lease borrow() {
        PooledPlugin lease;
        try {
            lease = pool.borrow();
        } catch (PoolExhaustedException e) {
            throw new VmFault(FaultKind.OVERLOADED, "borrow", e.getMessage(), e);
        } catch (CallInterruptedException e) {
            throw new VmFault(FaultKind.OVERLOADED, "borrow", "interrupted while waiting for a VM", e);
        } catch (VmFault f) {
            throw f;
        } catch (RuntimeException e) {
            throw startFailure(e);
        }
        Vm vm = vms.get(lease.plugin());
        if (vm == null) {
            lease.close();
            throw new IllegalStateException("a VM of the pool was not started by its initializer");
        }
        return new Lease(lease, vm);
    }

    /** The start failure behind what the pool threw (it wraps what its initializer throws). */
    static VmFault startFailure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VmFault) {
                return (VmFault) t;
            }
        }
        return new VmFault(FaultKind.START, "instantiate", e.getMessage(), e);
    }

    /**
     * An idle VM if there is one, else null: never starts a VM and never waits (ticks and queue
     * notices must not start VMs nor queue behind requests).
     */
    public Lease tryBorrowIdle() {
        PooledPlugin lease = pool.tryBorrow().orElse(null);
        if (lease == null) {
            return null;
        }
        Vm vm = vms.get(lease.plugin());
        if (vm == null) {
            lease.close();
            throw new IllegalStateException("a VM of the pool was not started by its initializer");
        }
        return new Lease(lease, vm);
    }

    /** Starts a first VM now, so a filter that cannot start fails when it is built. */
    public void warm() {
        borrow().close();
    }

    public int size() {
        return pool.stats().size();
    }

    public long discarded() {
        return pool.stats().discards();
    }

    @Override
    public void close() {
        pool.close();
        vms.clear();
    }
}
