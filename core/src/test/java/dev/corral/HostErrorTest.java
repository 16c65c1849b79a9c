package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, item 14: a host function that throws an Error (not an Exception) is the host's
 * failure: it arrives as a HostFunctionException with the Error as its cause, never raw, and a
 * StackOverflowError of the host's own recursion is not reported as guest recursion. The plugin
 * stays usable, and a pool would discard it (the call faulted).
 */
class HostErrorTest {
    private static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());

    private static Plugin plugin(Corral corral, HostFunctionDef.Implementation block) {
        var env = HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "log", FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of()), (c, a) -> null),
                HostFunctionDef.of("env", "block", VOID, block),
                HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                        (c, a) -> new long[] {a[0]})));
        return corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder().hostModule(env).build());
    }

    private static int recurse(int n) {
        return n == Integer.MIN_VALUE ? 0 : 1 + recurse(n + 1);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void errorsOfTheHostArriveWrappedWithTheirCause(ExecutionMode mode) {
        var oom = new OutOfMemoryError("simulated: the host's cache is full");
        var ncdf = new NoClassDefFoundError("com/example/Missing");
        for (Error error : new Error[] {oom, ncdf, new AssertionError("host invariant")}) {
            try (var corral = Fixtures.engine(mode); var p = plugin(corral, (c, a) -> {
                throw error;
            })) {
                var e = assertThrows(HostFunctionException.class, () -> p.call("wait"));
                assertSame(error, e.getCause());
                assertEquals("env.block", e.function());
                assertEquals(6, p.call("double", 3).getInt(0)); // the plugin carries on
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void theHostsOwnStackOverflowIsNotGuestRecursion(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = plugin(corral, (c, a) -> {
            recurse(0);
            return null;
        })) {
            var e = assertThrows(HostFunctionException.class, () -> p.call("wait"));
            assertInstanceOf(StackOverflowError.class, e.getCause());
            assertTrue(e.getMessage().contains("host function 'env.block' failed"), e.getMessage());
            assertEquals(6, p.call("double", 3).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aPoolDiscardsTheInstanceWhoseHostFunctionFailed(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var env = HostModuleDef.of("env", List.of(
                    HostFunctionDef.of("env", "log", FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of()),
                            (c, a) -> null),
                    HostFunctionDef.of("env", "block", VOID, (c, a) -> {
                        throw new OutOfMemoryError("simulated");
                    }),
                    HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                            (c, a) -> new long[] {a[0]})));
            try (var pool = PluginPool.builder(corral.load(Fixtures.wasm("host")))
                    .policy(PluginPolicy.builder().hostModule(env).build()).maxSize(1).build()) {
                assertThrows(HostFunctionException.class, () -> pool.accept(p -> p.call("wait")));
                int doubled = pool.apply(p -> p.call("double", 2).getInt(0));
                assertEquals(4, doubled);
                assertEquals(1L, (long) pool.stats().discards());
            }
        }
    }
}
