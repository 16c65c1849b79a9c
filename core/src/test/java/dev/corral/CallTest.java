package dev.corral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CallTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void typedCallsOfEveryNumericType(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("arith")).instantiate();
            assertEquals(5, p.call("add", 2, 3).getInt(0));
            assertEquals(-1, p.call("add", Integer.MAX_VALUE, Integer.MIN_VALUE).getInt(0));
            assertEquals(1L << 40, p.call("add64", 1L << 39, 1L << 39).getLong(0));
            assertEquals(0.25f, p.call("mulf", 0.5f, 0.5f).getFloat(0));
            assertEquals(-0.25f, p.call("mulf", -0.5f, 0.5f).getFloat(0));
            assertEquals(3.75, p.call("divd", 7.5, 2.0).getDouble(0));
            assertEquals(6765, p.call("fib", 20).getInt(0));
            var pair = p.call("pair", -7);
            assertEquals(2, pair.size());
            assertEquals(-7, pair.getInt(0));
            assertEquals(-7L, pair.getLong(1));
            assertEquals("-7 -7", pair.toString());
            assertEquals("", p.call("noop").toString());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void rawHandleMatchesTypedCall(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("arith")).instantiate();
            var add = p.function("add");
            assertEquals(FunctionSignature.of(java.util.List.of(ValueType.I32, ValueType.I32), java.util.List.of(ValueType.I32)),
                    add.signature());
            assertArrayEquals(new long[] {9}, add.callRaw(4, 5));
            assertEquals(add, p.function("add"), "export handles are cached");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void misuseIsReportedClearly(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("arith")).instantiate();
            var unknown = assertThrows(IllegalArgumentException.class, () -> p.call("nope"));
            assertTrue(unknown.getMessage().contains("exports no function 'nope'"), unknown.getMessage());
            assertTrue(unknown.getMessage().contains("add (i32, i32) -> (i32)"), unknown.getMessage());
            var count = assertThrows(IllegalArgumentException.class, () -> p.call("add", 1));
            assertTrue(count.getMessage().contains("takes 2 arguments"), count.getMessage());
            var type = assertThrows(IllegalArgumentException.class, () -> p.call("add", 1.5, 2));
            assertTrue(type.getMessage().contains("must be an i32"), type.getMessage());
            assertThrows(IllegalArgumentException.class, () -> p.call("add", 1L << 40, 2));
            assertThrows(IllegalArgumentException.class, () -> p.call("add", "1", 2));
            assertThrows(IllegalStateException.class, () -> p.call("add", 1, 2).getLong(0));
            p.close();
            assertThrows(IllegalStateException.class, () -> p.call("add", 1, 2));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void describesTheModule(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.loader().name("imports").load(Fixtures.wasm("imports"));
            assertEquals("imports", m.name());
            assertEquals(mode, m.executionMode());
            assertEquals(3, m.imports().size());
            assertEquals("env.log (function (i32, i32) -> ())", m.imports().get(0).toString());
            assertEquals(ExternKind.GLOBAL, m.imports().get(2).kind());
            assertTrue(m.exports().stream().anyMatch(e -> e.name().equals("memory") && e.kind() == ExternKind.MEMORY));
            assertEquals(1, m.memories().size());
            assertEquals(1, m.memories().get(0).minPages());
            assertTrue(m.memories().get(0).maxPages().isEmpty());
            assertEquals(64, m.sha256().length());
        }
    }
}
