package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunction;
import dev.corral.spi.HostModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HostFunctionTest {
    private static final FunctionSignature LOG = FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of());
    private static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());

    private static HostModule env(HostFunction.Implementation log, HostFunction.Implementation block) {
        return HostModule.of("env", List.of(
                HostFunction.of("env", "log", LOG, log),
                HostFunction.of("env", "block", VOID, block),
                HostFunction.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                        (c, a) -> new long[] {a[0]})));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostFunctionsReadGuestStrings(ExecutionMode mode) {
        var seen = new ArrayList<String>();
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.loader().name("greeter").load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder()
                    .hostModule(env((c, a) -> {
                        seen.add(c.pluginName() + ":" + c.memory().readString((int) a[0], (int) a[1]));
                        return null;
                    }, (c, a) -> null)).build());
            p.call("hello");
            assertEquals(List.of("greeter:hello"), seen);
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aHostExceptionArrivesWrappedWithItsCause(ExecutionMode mode) {
        var boom = new IOException("disk on fire");
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder()
                    .hostModule(env((c, a) -> null, (c, a) -> {
                        throw boom;
                    })).build());
            var e = assertThrows(HostFunctionException.class, () -> p.call("wait"));
            assertSame(boom, e.getCause());
            assertEquals("env.block", e.function());
            assertTrue(e.getMessage().contains("disk on fire"));
            var unchecked = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder()
                    .hostModule(env((c, a) -> null, (c, a) -> {
                        throw new IllegalStateException("bug in host");
                    })).build());
            assertTrue(assertThrows(HostFunctionException.class, () -> unchecked.call("wait")).getCause() instanceof IllegalStateException);
            assertEquals(42, p.call("double", 21).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostilePointersEndTheCallWithATypedError(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder()
                    .hostModule(env((c, a) -> {
                        c.memory().readString((int) a[0], (int) a[1]);
                        return null;
                    }, (c, a) -> null)).build());
            var outside = assertThrows(GuestMemoryException.class, () -> p.call("bad_pointer"));
            assertTrue(outside.getMessage().contains("outside the plugin's memory"), outside.getMessage());
            assertThrows(GuestMemoryException.class, () -> p.call("negative_length"));
            var utf8 = assertThrows(GuestMemoryException.class, () -> p.call("bad_utf8"));
            assertTrue(utf8.getMessage().contains("not valid UTF-8"), utf8.getMessage());
            p.call("hello");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aGuestCannotMakeTheHostReadMoreThanThePolicyAllows(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder().maxGuestTransfer(4)
                    .hostModule(env((c, a) -> {
                        c.memory().readString((int) a[0], (int) a[1]);
                        return null;
                    }, (c, a) -> null)).build());
            var big = assertThrows(GuestMemoryException.class, () -> p.call("hello")); // 5 bytes > 4
            assertTrue(big.getMessage().contains("maxGuestTransfer"), big.getMessage());
            assertEquals(4, p.memory().read(16, 4).length);
            assertThrows(GuestMemoryException.class, () -> p.memory().read(16, 5));
            assertThrows(GuestMemoryException.class, () -> p.memory().readOnlyView(16, 5));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aHostFunctionReturningTheWrongArityIsCaught(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var env = HostModule.of("env", List.of(
                    HostFunction.of("env", "log", LOG, (c, a) -> new long[] {1, 2}),
                    HostFunction.of("env", "block", VOID, (c, a) -> null),
                    HostFunction.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                            (c, a) -> null)));
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder().hostModule(env).build());
            assertThrows(HostFunctionException.class, () -> p.call("hello"));
            assertThrows(HostFunctionException.class, () -> p.call("via_host", 1));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void duplicateHostFunctionsAreRefused(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(Fixtures.wasm("host"));
            var a = env((c, x) -> null, (c, x) -> null);
            var policy = PluginPolicy.builder().hostModule(a).hostModule(a).build();
            assertThrows(IllegalArgumentException.class, () -> m.instantiate(policy));
        }
    }
}
