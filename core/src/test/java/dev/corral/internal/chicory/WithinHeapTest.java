package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.ModuleLoadException;
import org.junit.jupiter.api.Test;

/**
 * A load whose parse and compile do not fit the heap (Ruby 3.4 fuel-metered at -Xmx1500m, see
 * benchmarks/README.md) fails as a typed load error that says what to do, not a raw
 * OutOfMemoryError. (The heap itself is not exhausted here: a unit test cannot do that cheaply.)
 */
class WithinHeapTest {
    @Test
    void heapExhaustionDuringALoadIsALimitsErrorWithAdvice() {
        var oom = new OutOfMemoryError("Java heap space");
        var e = assertThrows(ModuleLoadException.class, () -> ChicoryModuleLoader.withinHeap("ruby.wasm", 16_655_034, true, () -> {
            throw oom;
        }));
        assertEquals(ModuleLoadException.Reason.LIMITS, e.reason());
        assertSame(oom, e.getCause());
        assertTrue(e.getMessage().startsWith("module 'ruby.wasm' (16264 KB) could not be fuel-metered and compiled within this"
                + " JVM's heap (max "), e.getMessage());
        assertTrue(e.getMessage().contains("-Xmx") && e.getMessage().contains("three times"), e.getMessage());
        var plain = assertThrows(ModuleLoadException.class, () -> ChicoryModuleLoader.withinHeap("m", 1024, false, () -> {
            throw oom;
        }));
        assertTrue(plain.getMessage().contains("could not be compiled within") && !plain.getMessage().contains("three"),
                plain.getMessage());
    }

    @Test
    void otherFailuresAndResultsPassThrough() {
        assertEquals("ok", ChicoryModuleLoader.withinHeap("m", 1, false, () -> "ok"));
        var e = new ModuleLoadException(ModuleLoadException.Reason.INVALID, "bad");
        assertSame(e, assertThrows(ModuleLoadException.class, () -> ChicoryModuleLoader.withinHeap("m", 1, true, () -> {
            throw e;
        })));
        var se = new StackOverflowError();
        assertSame(se, assertThrows(StackOverflowError.class, () -> ChicoryModuleLoader.withinHeap("m", 1, true, () -> {
            throw se;
        })));
    }
}
