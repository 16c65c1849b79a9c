package dev.corral;

import dev.corral.internal.ManagedPlugin;
import dev.corral.internal.events.Events;
import dev.corral.internal.events.PoolWaitEvent;
import dev.corral.internal.PreparedModule;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A bounded pool of pre-initialized instances of one module, for hosts that call plugins from
 * many threads (one request, one tick, one tenant call at a time). Thread-safe.
 *
 * <p>The module is linked against the policy once. Each instance is created on demand (up to
 * {@link Builder#maxSize}), runs the {@link Builder#initializer} once, and is then snapshotted.
 * Every borrow sees exactly that state: when a lease comes back, the pool restores the snapshot,
 * at a cost proportional to what the borrower changed (dirty memory, globals, tables, capability
 * state), not to the size of the module. A lease whose call failed (trap, timeout, fuel or stack
 * exhaustion, exit, host-function failure) is never handed out again: the instance is closed and
 * a fresh one is made when needed ({@link PoolStats#discards()}).
 *
 * <pre>{@code
 * PluginPool pool = PluginPool.builder(module)
 *         .policy(policy)
 *         .maxSize(8)
 *         .initializer(p -> p.call("warm_up"))
 *         .build();
 * int sum = pool.apply(p -> p.call("add", 2, 3).getInt(0));       // borrow, call, return
 * try (PooledPlugin lease = pool.borrow()) {                      // or hold a lease for several calls
 *     lease.plugin().call("step");
 * }
 * pool.replace(corral.load(Path.of("plugin-v2.wasm")));           // hot reload; in-flight calls finish
 * }</pre>
 */
public final class PluginPool implements AutoCloseable {
    private final String name;
    private final PluginPolicy policy;
    private final int maxSize;
    private final Duration borrowTimeout;
    private final Duration closeTimeout;
    private final Consumer<Plugin> initializer;
    private final Reset reset;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Idle instances, most recently returned first (warm caches). */
    private final ArrayDeque<Slot> idle = new ArrayDeque<>();
    private Generation current;
    private int size;
    private int borrowed;
    private boolean closed;
    private long borrows;
    private long waits;
    private long waitNanos;
    private long resets;
    private long discards;
    private long created;

    private PluginPool(Builder b) {
        this.name = b.module.name();
        this.policy = b.policy;
        this.maxSize = b.maxSize;
        this.borrowTimeout = b.borrowTimeout;
        this.closeTimeout = b.closeTimeout;
        this.initializer = b.initializer;
        this.reset = b.reset;
        this.current = new Generation(PreparedModule.prepare(b.module, policy));
    }

    public static Builder builder(PluginModule module) {
        return new Builder(module);
    }

    /**
     * Borrows an instance: an idle one, else a new one while the pool is below its maximum size,
     * else the first one returned within the borrow timeout.
     *
     * @throws PoolExhaustedException when none is free within the borrow timeout
     * @throws IllegalStateException when the pool is closed
     */
    public PooledPlugin borrow() {
        Slot slot;
        Generation createFor = null;
        PoolWaitEvent waitEvent = null; // JFR: only borrows that wait
        String waitOutcome = "closed";
        lock.lock();
        try {
            long waitStart = 0;
            long timeoutNanos = borrowTimeout.toNanos();
            while (true) {
                if (closed) {
                    throw new IllegalStateException("pool '" + name + "' is closed");
                }
                slot = idle.pollFirst();
                if (slot != null) {
                    break;
                }
                if (size < maxSize) {
                    size++; // reserved; created below, outside the lock
                    createFor = current;
                    break;
                }
                long now = System.nanoTime();
                if (waitStart == 0) {
                    waitStart = now;
                    waits++;
                    if (Events.jfr()) {
                        waitEvent = new PoolWaitEvent();
                        waitEvent.begin();
                    }
                }
                long left = timeoutNanos - (now - waitStart);
                if (left <= 0) {
                    waitNanos += now - waitStart;
                    waitOutcome = "timeout";
                    throw new PoolExhaustedException(name, maxSize, borrowTimeout);
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    waitNanos += System.nanoTime() - waitStart;
                    Thread.currentThread().interrupt();
                    waitOutcome = "interrupted";
                    throw new CallInterruptedException("borrow from pool " + name);
                }
            }
            if (waitStart != 0) {
                waitNanos += System.nanoTime() - waitStart;
            }
            waitOutcome = "borrowed";
            borrows++;
            borrowed++;
        } finally {
            lock.unlock();
            if (waitEvent != null) {
                Events.poolWait(waitEvent, name, maxSize, waitOutcome);
            }
        }
        if (slot == null) {
            try {
                slot = create(createFor);
            } catch (RuntimeException | Error e) {
                lock.lock();
                try {
                    size--;
                    borrowed--;
                    changed.signal(); // the reserved place is free again
                } finally {
                    lock.unlock();
                }
                throw e;
            }
            countCreated();
        }
        return lend(slot);
    }

    /** Hands a slot taken from the pool to the calling thread. */
    private Lease lend(Slot slot) {
        try {
            slot.plugin.lend(Thread.currentThread());
        } catch (RuntimeException e) {
            discard(slot); // a bug in the pool, not the borrower's: do not leak the place
            throw e;
        }
        return new Lease(slot);
    }

    /**
     * An idle instance now, or empty: never makes an instance and never waits. For maintenance
     * work a host runs beside its callers (timers, cache refreshes) that should reach instances
     * already made and free, without starting new ones or queueing behind the callers. Empty when
     * the pool is closed.
     */
    public Optional<PooledPlugin> tryBorrow() {
        Slot slot;
        lock.lock();
        try {
            slot = closed ? null : idle.pollFirst();
            if (slot == null) {
                return Optional.empty();
            }
            borrows++;
            borrowed++;
        } finally {
            lock.unlock();
        }
        return Optional.of(lend(slot));
    }

    private void discard(Slot slot) {
        lock.lock();
        try {
            borrowed--;
            size--;
            discards++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        closeQuietly(slot.plugin);
    }

    /** Borrows an instance, calls {@code call} with it, gives it back, returns what the call returned. */
    public <R> R apply(Function<Plugin, R> call) {
        Objects.requireNonNull(call, "call");
        try (PooledPlugin lease = borrow()) {
            return call.apply(lease.plugin());
        }
    }

    /** Borrows an instance, calls {@code call} with it and gives it back. */
    public void accept(Consumer<Plugin> call) {
        Objects.requireNonNull(call, "call");
        try (PooledPlugin lease = borrow()) {
            call.accept(lease.plugin());
        }
    }

    /** The module new borrows get instances of. */
    public PluginModule module() {
        lock.lock();
        try {
            return current.prepared.module();
        } finally {
            lock.unlock();
        }
    }

    public PluginPolicy policy() {
        return policy;
    }

    public PoolStats stats() {
        lock.lock();
        try {
            return new PoolStats(size, idle.size(), borrowed, borrows, waits, Duration.ofNanos(waitNanos), resets,
                    discards, created);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hot reload: from now on, borrows get instances of {@code newModule}. The new module is linked
     * and one instance of it is made and initialized first, on this thread; if that fails (the
     * module does not link against the policy, its start function or the initializer throws), the
     * exception is thrown and the pool keeps serving the old module. Leases already out finish on
     * the old module, undisturbed, and their instances are closed when they come back; idle
     * instances of the old module are closed now.
     */
    public void replace(PluginModule newModule) {
        Objects.requireNonNull(newModule, "newModule");
        var next = new Generation(PreparedModule.prepare(newModule, policy));
        Slot probe = create(next);
        probe.plugin.park(); // made and initialized on this thread; any borrower may take it
        List<Slot> drained = new ArrayList<>();
        boolean poolClosed;
        lock.lock();
        try {
            poolClosed = closed;
            if (poolClosed) {
                drained.add(probe);
            } else {
                current = next;
                drained.addAll(idle);
                idle.clear();
                size -= drained.size();
                discards += drained.size();
                created++;
                if (size < maxSize) {
                    size++;
                    idle.addFirst(probe);
                } else {
                    drained.add(probe); // the pool is full of old leases: the probe only validated the module
                }
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        for (Slot s : drained) {
            closeQuietly(s.plugin);
        }
        if (poolClosed) {
            throw new IllegalStateException("pool '" + name + "' is closed");
        }
    }

    /**
     * Refuses new borrows, closes the idle instances, then waits up to the close timeout for the
     * leases still out; those that come back later are closed on return.
     */
    @Override
    public void close() {
        List<Slot> drained;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            drained = new ArrayList<>(idle);
            idle.clear();
            size -= drained.size();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Slot s : drained) {
            closeQuietly(s.plugin);
        }
        lock.lock();
        try {
            long left = closeTimeout.toNanos();
            while (borrowed > 0 && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "PluginPool[" + name + ", " + stats() + "]";
    }

    // ---- internals ----

    /** A new instance of {@code gen}'s module, initialized and snapshotted; owned by this thread. */
    private Slot create(Generation gen) {
        // the initializer runs inside instantiation, under the policy's initialization limits
        ManagedPlugin p = gen.prepared.instantiate(initializer == null ? null : plugin -> {
            try {
                initializer.accept(plugin);
            } catch (CorralException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CorralException("the initializer of pool '" + name + "' failed: " + e, e);
            }
        });
        try {
            if (initializer != null) {
                if (p.faulted()) {
                    throw new CorralException("the initializer of pool '" + name
                            + "' caught a failed call: the instance's state is unknown, so it cannot be pooled");
                }
            }
            PluginSnapshot snapshot = reset == Reset.SNAPSHOT ? p.snapshotLike(gen.template) : null;
            if (gen.template == null) {
                gen.template = snapshot; // later instances share the memory chunks they have in common with it
            }
            return new Slot(p, gen, snapshot);
        } catch (RuntimeException | Error e) {
            closeQuietly(p);
            throw e;
        }
    }

    private void countCreated() {
        lock.lock();
        try {
            created++;
        } finally {
            lock.unlock();
        }
    }

    private void giveBack(Slot slot) {
        ManagedPlugin p = slot.plugin;
        // an interpreted instance of a module whose tiered compile has finished is replaced by a compiled one
        boolean reusable = !p.isClosed() && !p.faulted() && !p.superseded();
        boolean wasReset = false;
        if (reusable) {
            try {
                if (reset == Reset.SNAPSHOT) {
                    p.restore(slot.snapshot);
                    wasReset = true;
                }
                p.park();
            } catch (IllegalStateException e) {
                throw e; // wrong thread or inside a call: the lease stays open
            } catch (RuntimeException e) {
                reusable = false;
            }
        }
        boolean keep;
        lock.lock();
        try {
            keep = reusable && !closed && slot.generation == current;
            borrowed--;
            if (wasReset) {
                resets++;
            }
            if (keep) {
                idle.addFirst(slot);
            } else {
                size--;
                discards++;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!keep) {
            closeQuietly(p);
        }
    }

    private static void closeQuietly(ManagedPlugin p) {
        try {
            p.close();
        } catch (RuntimeException ignored) {
            // owned elsewhere or already closed: it is unreachable from the pool either way
        }
    }

    private static final class Generation {
        final PreparedModule prepared;
        /** The first instance's snapshot; racing creators may both set it, either is fine. */
        volatile PluginSnapshot template;

        Generation(PreparedModule prepared) {
            this.prepared = prepared;
        }
    }

    private static final class Slot {
        final ManagedPlugin plugin;
        final Generation generation;
        final PluginSnapshot snapshot;

        Slot(ManagedPlugin plugin, Generation generation, PluginSnapshot snapshot) {
            this.plugin = plugin;
            this.generation = generation;
            this.snapshot = snapshot;
        }
    }

    private final class Lease implements PooledPlugin {
        private final Slot slot;
        private final Thread borrower;
        private boolean returned;

        Lease(Slot slot) {
            this.slot = slot;
            this.borrower = Thread.currentThread();
        }

        @Override
        public Plugin plugin() {
            if (returned) {
                throw new IllegalStateException("this lease on pool '" + name + "' was closed: borrow again");
            }
            return slot.plugin;
        }

        @Override
        public void close() {
            if (returned) {
                return;
            }
            if (Thread.currentThread() != borrower) {
                throw new IllegalStateException("a lease on pool '" + name + "' must be closed by the thread that borrowed it ('"
                        + borrower.getName() + "'), not by '" + Thread.currentThread().getName() + "'");
            }
            giveBack(slot);
            returned = true;
        }

        @Override
        public String toString() {
            return "PooledPlugin[" + name + (returned ? ", returned" : "") + "]";
        }
    }

    /** Settings of a pool; {@link #build()} makes it. */
    public static final class Builder {
        private final PluginModule module;
        private PluginPolicy policy = PluginPolicy.defaults();
        private int maxSize = Runtime.getRuntime().availableProcessors();
        private int minIdle;
        private Duration borrowTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private Consumer<Plugin> initializer;
        private Reset reset = Reset.SNAPSHOT;

        private Builder(PluginModule module) {
            this.module = Objects.requireNonNull(module, "module");
        }

        /** The policy every instance runs under; default {@link PluginPolicy#defaults()}. */
        public Builder policy(PluginPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The most instances alive at once (idle + borrowed); default: the number of processors. */
        public Builder maxSize(int maxSize) {
            if (maxSize < 1) {
                throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
            }
            this.maxSize = maxSize;
            return this;
        }

        /** Instances made and initialized by {@link #build()}, before the first borrow; default 0. */
        public Builder minIdle(int minIdle) {
            if (minIdle < 0) {
                throw new IllegalArgumentException("minIdle must be >= 0, got " + minIdle);
            }
            this.minIdle = minIdle;
            return this;
        }

        /** How long {@link PluginPool#borrow()} waits for a free instance; default 30 s. */
        public Builder borrowTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("borrowTimeout must be >= 0, got " + timeout);
            }
            this.borrowTimeout = timeout;
            return this;
        }

        /** How long {@link PluginPool#close()} waits for leases still out; default 10 s. */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be >= 0, got " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Runs once on every new instance, before its snapshot: load a script, build tables, warm
         * caches. Its effects are what every borrow starts from. If it throws, the instance is
         * dropped and the borrow (or {@link PluginPool#replace}) fails with that exception. It is
         * part of the instance's initialization: together with the start function and
         * {@code _initialize}, it runs under the policy's {@link PluginPolicy.Builder#initTimeout}
         * and {@link PluginPolicy.Builder#initFuel} (when set) instead of the per-call limits.
         */
        public Builder initializer(Consumer<Plugin> initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /** What a returned instance goes through before its next borrow; default {@link Reset#SNAPSHOT}. */
        public Builder reset(Reset reset) {
            this.reset = Objects.requireNonNull(reset, "reset");
            return this;
        }

        /**
         * Links the module against the policy (an {@link UnlinkableModuleException} here, not at
         * the first borrow) and makes the {@link #minIdle} instances.
         */
        public PluginPool build() {
            if (minIdle > maxSize) {
                throw new IllegalArgumentException("minIdle (" + minIdle + ") must not exceed maxSize (" + maxSize + ")");
            }
            var pool = new PluginPool(this);
            List<PooledPlugin> warm = new ArrayList<>();
            try {
                for (int i = 0; i < minIdle; i++) {
                    warm.add(pool.borrow());
                }
            } catch (RuntimeException | Error e) {
                pool.close();
                throw e;
            } finally {
                for (PooledPlugin lease : warm) {
                    lease.close();
                }
            }
            forgetWarmUp(pool);
            return pool;
        }

        /** Warm-up borrows are not borrows a user made. */
        private static void forgetWarmUp(PluginPool pool) {
            pool.lock.lock();
            try {
                pool.borrows = 0;
                pool.resets = 0;
            } finally {
                pool.lock.unlock();
            }
        }
    }
}
