package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store whose effective address (unsigned base + offset) is beyond the memory traps in both modes
 * and writes nothing, including the three stores Chicory 1.7.5's interpreter would wrap to a low
 * address (see internal/chicory/InterpreterGuards).
 */
class WrappedStoreTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void storesPastTheAddressSpaceTrapAndWriteNothing(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("wrapped_store")).instantiate()) {
            for (String store : new String[] {"store8", "store8_64", "store32_64", "store16"}) {
                for (int base : new int[] {-1, -3, -5, Integer.MIN_VALUE, Integer.MIN_VALUE + 7}) {
                    var e = assertThrows(TrapException.class, () -> p.call(store, base), store + " at " + Integer.toUnsignedString(base));
                    assertEquals(TrapException.Kind.MEMORY_OUT_OF_BOUNDS, e.kind(), e.getMessage());
                }
            }
            var far = assertThrows(TrapException.class, () -> p.call("store32_64_far", Integer.MAX_VALUE));
            assertEquals(TrapException.Kind.MEMORY_OUT_OF_BOUNDS, far.kind());
            assertEquals(0L, p.call("low").getLong(0), "nothing written at the wrapped addresses");
            // in bounds: the same stores work, offsets included
            p.call("store8", 10);
            assertEquals(0x5a, p.call("at", 15).getInt(0));
            p.call("store32_64", 100);
            assertEquals(0x5a, p.call("at", 108).getInt(0));
        }
    }
}
