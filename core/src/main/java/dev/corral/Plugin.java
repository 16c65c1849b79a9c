package dev.corral;

import dev.corral.internal.GuestInterfaces;
import dev.corral.spi.GuestMemory;

/**
 * One instance of a {@link PluginModule}: its own memory, globals and tables.
 *
 * <p><b>Confined to one thread at a time.</b> The first call binds the plugin to the calling
 * thread; a call from any other thread fails fast with {@link IllegalStateException} (the instance
 * is never touched) until the owner calls {@link #release()}. Guest→host→guest re-entry on the
 * owning thread is fine. Pools release on return, so borrowed plugins just work.
 */
public interface Plugin extends AutoCloseable {
    String name();

    PluginModule module();

    /**
     * Calls an exported function. Arguments are Java numbers matching the export's parameter types
     * (Integer for i32, Long for i64, Float for f32, Double for f64; smaller integer types widen).
     */
    Results call(String export, Object... args);

    /** A reusable handle on an exported function, for hot paths: resolve once, call many times. */
    PluginFunction function(String export);

    /**
     * Runs the WASI command entry point {@code _start} and returns its exit code: 0 when it
     * returns normally, else the code it passed to {@code proc_exit}.
     */
    int runMain();

    /**
     * Fuel charged by the most recent outermost call (or the one running, when asked from inside
     * it, e.g. by a host function), successful or not; until the first call, by instantiation
     * (the start function). 0 when the policy sets no fuel. Fuel used by nested guest→host→guest
     * calls on this plugin counts toward the outer call. Exact after success and after
     * {@link FuelExhaustedException}; after a trap it may leave out what the trapping wasm function
     * charged since its last call (functions keep their fuel in a local between calls).
     */
    long fuelConsumed();

    /**
     * All the fuel this plugin has been charged since it was instantiated (instantiation included),
     * over every call, successful or not; 0 when the policy sets no fuel. The difference of two
     * readings is what a sequence of calls used, e.g. the several calls behind one guest-ABI call.
     */
    long fuelConsumedTotal();

    /**
     * Fuel left for the running call, or, between calls, the fuel the next call will start with
     * (the policy's per-call fuel plus pending top-ups). Never negative.
     *
     * @throws IllegalStateException if the policy sets no fuel
     */
    long fuelRemaining();

    /**
     * Adds {@code units} of fuel: to the running call when called from inside it (e.g. by a host
     * function), else to the next call only (top-ups accumulate until a call starts; after that
     * call the per-call budget applies again).
     *
     * @throws IllegalStateException if the policy sets no fuel
     */
    void addFuel(long units);

    /** Calls, failed calls and fuel since instantiation; never reset by restore or a pool. */
    PluginStats stats();

    /** Current size of memory 0 in pages (0 if the module has no memory). */
    int memoryPages();

    /**
     * Memory 0, bounds-checked, for host code that exchanges data with the plugin outside host
     * calls (e.g. generated guest-interface bindings). Throws {@link GuestMemoryException} if the
     * module has no memory.
     */
    GuestMemory memory();

    /**
     * This plugin seen through a typed Java interface annotated with {@code @GuestInterface}
     * (corral-host-bindings): its methods call the plugin's exports with strings, bytes and
     * numbers marshalled by the Corral guest ABI. The implementation is the class the annotation
     * processor generated next to {@code type} ({@code <Name>_CorralGuest}); it checks the
     * plugin's ABI version and every export's signature once, here.
     *
     * @throws IllegalArgumentException if {@code type} has no generated binding
     */
    default <T> T as(Class<T> type) {
        return GuestInterfaces.bind(this, type);
    }

    /**
     * The complete state of this instance now (memories, globals, tables, fuel counters, and the
     * state of capabilities that take part), for {@link #restore} later: roll a game mod back to
     * the start of a tick, or keep a warmed-up state to return to. Taking one costs what changed
     * since this plugin's previous snapshot or restore; pools take one per instance for you.
     *
     * @throws IllegalStateException inside a call, or when the last call failed (restore first)
     * @throws UnsupportedOperationException for a module with shared memory or wasm GC objects
     */
    PluginSnapshot snapshot();

    /**
     * Puts this instance back to {@code snapshot}, which must have been taken from it. Costs what
     * changed since the last snapshot or restore (written memory chunks, tables, globals), not the
     * memory's size; memory grown since shrinks back. Also the way back after a failed call: the
     * instance is usable and clean again.
     *
     * @throws IllegalArgumentException if the snapshot was taken from another plugin
     * @throws IllegalStateException inside a call
     */
    void restore(PluginSnapshot snapshot);

    /**
     * This plugin's binding of a granted capability, found by the binding's class: where a
     * capability keeps this instance's own host state (its open files, a proxy-wasm VM's streams),
     * so host code driving the plugin reaches it without a map of its own. Like Wasmtime's
     * per-store data. Empty when no capability of the policy bound an object of {@code type}.
     */
    <B extends dev.corral.spi.Capability.Binding> java.util.Optional<B> binding(Class<B> type);

    /**
     * Gives up this thread's ownership, so that another thread may call the plugin next. Fails if
     * called from a thread that does not own it or while a call is running.
     */
    void release();

    /** Drops the instance; further calls fail with IllegalStateException. */
    @Override
    void close();
}
