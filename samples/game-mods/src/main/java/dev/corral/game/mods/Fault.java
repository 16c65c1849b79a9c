package dev.corral.game.mods;

import dev.corral.CallInterruptedException;
import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
import dev.corral.GuestMemoryException;
import dev.corral.HostFunctionException;
import dev.corral.PluginExitException;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import dev.corral.js.JsException;

/** Why a mod's tick failed. */
public enum Fault {
    /** The wasm code trapped (unreachable, out-of-bounds access, division by zero ...). */
    TRAP(true),
    /** The tick's fuel ran out. */
    FUEL(true),
    /** The tick's deadline passed (wall clock: not reproducible, so recordings keep it). */
    DEADLINE(false),
    /** The JVM stack ran out (its depth depends on the JIT: recordings keep it). */
    STACK(false),
    /** A JavaScript exception the script did not catch (its own stack overflow and out-of-memory included). */
    SCRIPT(true),
    /** The mod asked the host for something impossible (a bad pointer, a host function failure). */
    HOST(true),
    /** The mod exited (WASI proc_exit). */
    EXIT(true);

    private final boolean reproducible;

    Fault(boolean reproducible) {
        this.reproducible = reproducible;
    }

    /** Whether the same mod, seed and inputs fault the same way on every run. */
    public boolean reproducible() {
        return reproducible;
    }

    public static Fault of(RuntimeException e) {
        if (e instanceof FuelExhaustedException) return FUEL;
        if (e instanceof CallTimeoutException || e instanceof CallInterruptedException) return DEADLINE;
        if (e instanceof StackExhaustedException) return STACK;
        if (e instanceof JsException) return SCRIPT;
        if (e instanceof TrapException) return TRAP;
        if (e instanceof PluginExitException) return EXIT;
        if (e instanceof HostFunctionException || e instanceof GuestMemoryException) return HOST;
        return TRAP;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
