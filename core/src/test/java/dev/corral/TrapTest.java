package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.TrapException.Kind;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TrapTest {
    static Stream<Arguments> traps() {
        var cases = Stream.of(
                Arguments.of("unreachable", new Object[0], Kind.UNREACHABLE, "boom"),
                Arguments.of("div_by_zero", new Object[] {0}, Kind.INTEGER_DIVIDE_BY_ZERO, "divide"),
                Arguments.of("overflow", new Object[0], Kind.INTEGER_OVERFLOW, "overflow"),
                Arguments.of("bad_conversion", new Object[0], Kind.INVALID_CONVERSION_TO_INTEGER, "convert"),
                Arguments.of("oob_load", new Object[] {65535}, Kind.MEMORY_OUT_OF_BOUNDS, "peek"),
                Arguments.of("oob_load", new Object[] {-1}, Kind.MEMORY_OUT_OF_BOUNDS, "peek"),
                Arguments.of("oob_store", new Object[] {65536}, Kind.MEMORY_OUT_OF_BOUNDS, "poke"),
                Arguments.of("indirect_mismatch", new Object[0], Kind.INDIRECT_CALL_TYPE_MISMATCH, "wrong_type"),
                Arguments.of("uninitialized", new Object[0], Kind.UNINITIALIZED_ELEMENT, "empty_slot"),
                Arguments.of("table_oob", new Object[0], Kind.TABLE_OUT_OF_BOUNDS, "past_end"),
                Arguments.of("nested_oob", new Object[0], Kind.MEMORY_OUT_OF_BOUNDS, "inner"));
        return cases.flatMap(a -> Stream.of(ExecutionMode.values()).map(m -> {
            var x = a.get();
            return Arguments.of(m, x[0], x[1], x[2], x[3]);
        }));
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @MethodSource("traps")
    void eachTrapHasItsKindAndFunction(ExecutionMode mode, String export, Object[] args, Kind kind, String function) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.loader().name("traps").load(Fixtures.wasm("traps")).instantiate();
            var e = assertThrows(TrapException.class, () -> p.call(export, args));
            assertEquals(kind, e.kind(), e.getMessage());
            assertEquals(function, e.function().orElse(null), e.getMessage());
            assertTrue(e.getMessage().startsWith("plugin 'traps' trapped in '" + export + "'"), e.getMessage());
            // traps are precise: the instance is still good
            assertEquals(42, p.call("ok").getInt(0));
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ExecutionMode.class)
    void aTrapInTheStartFunctionFailsInstantiation(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(Fixtures.wasm("start_trap"));
            var e = assertThrows(TrapException.class, m::instantiate);
            assertEquals(Kind.UNREACHABLE, e.kind());
        }
    }
}
