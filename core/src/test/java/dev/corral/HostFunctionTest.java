package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HostFunctionTest {
    private static final FunctionSignature LOG = FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of());
    private static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());

    private static HostModuleDef env(HostFunctionDef.Implementation log, HostFunctionDef.Implementation block) {
        return HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "log", LOG, log),
                HostFunctionDef.of("env", "block", VOID, block),
                HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
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
            assertEquals(5, p.memory().readOnlyView(16, 5).remaining(), "a view copies nothing, so the bound is moot");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aHostFunctionReturningTheWrongArityIsCaught(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var env = HostModuleDef.of("env", List.of(
                    HostFunctionDef.of("env", "log", LOG, (c, a) -> new long[] {1, 2}),
                    HostFunctionDef.of("env", "block", VOID, (c, a) -> null),
                    HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
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

    /** A hand-written {@link HostFunctionDef.Bound}: what the generated bindings extend. */
    private static final class AddTen extends HostFunctionDef.Bound {
        private final List<String> calls;
        private final int claimedResults;
        private final long[] reply;

        AddTen(dev.corral.spi.HostContext plugin, List<String> calls, int claimedResults, long[] reply) {
            super(plugin);
            this.calls = calls;
            this.claimedResults = claimedResults;
            this.reply = reply;
        }

        @Override
        protected long[] call(long[] args) throws Exception {
            calls.add(context().pluginName() + ":" + args[0]);
            if (args[0] < 0) {
                throw new IOException("negative " + args[0]);
            }
            return reply != null ? reply : new long[] {args[0] + 10};
        }

        @Override
        protected int resultCount() {
            return claimedResults < 0 ? super.resultCount() : claimedResults;
        }
    }

    private static HostModuleDef envWith(HostFunctionDef reenter) {
        return HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "log", LOG, (c, a) -> null),
                HostFunctionDef.of("env", "block", VOID, (c, a) -> null),
                reenter));
    }

    private static final FunctionSignature I32_I32 = FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32));

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aBoundFunctionIsMadeOncePerPluginAndSeesThatPlugin(ExecutionMode mode) {
        var calls = new ArrayList<String>();
        var bound = new ArrayList<HostFunctionDef.Bound>();
        var env = envWith(HostFunctionDef.bound("env", "reenter", I32_I32, plugin -> {
            var b = new AddTen(plugin, calls, 1, null);
            bound.add(b);
            return b;
        }));
        try (var corral = Fixtures.engine(mode)) {
            var first = corral.loader().name("first").load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder().hostModule(env).build());
            var second = corral.loader().name("second").load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder().hostModule(env).build());
            assertEquals(2, bound.size());
            assertEquals(15, first.call("via_host", 5).getInt(0));
            assertEquals(17, second.call("via_host", 7).getInt(0));
            assertEquals(16, first.call("via_host", 6).getInt(0));
            assertEquals(List.of("first:5", "second:7", "first:6"), calls);
            assertEquals(2, bound.size(), "binding happens at link time, not per call");
            var e = assertThrows(HostFunctionException.class, () -> first.call("via_host", -1));
            assertEquals("env.reenter", e.function());
            assertTrue(e.getCause() instanceof IOException);
            assertEquals(20, first.call("via_host", 10).getInt(0), "the plugin stays usable");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aBoundFunctionBreakingItsContractIsCaught(ExecutionMode mode) {
        var calls = new ArrayList<String>();
        try (var corral = Fixtures.engine(mode)) {
            var m = corral.load(Fixtures.wasm("host"));
            // returns two values for a one-result import: caught per call, as for an Implementation
            var wrong = m.instantiate(PluginPolicy.builder().hostModule(envWith(HostFunctionDef.bound("env", "reenter", I32_I32,
                    p -> new AddTen(p, calls, -1, new long[] {1, 2})))).build());
            var e = assertThrows(HostFunctionException.class, () -> wrong.call("via_host", 1));
            assertTrue(e.getCause().getMessage().contains("returned 2 values but its signature declares 1"), e.getCause().getMessage());
            // a constant resultCount that disagrees with the signature: refused at link time
            var lying = PluginPolicy.builder().hostModule(envWith(HostFunctionDef.bound("env", "reenter", I32_I32,
                    p -> new AddTen(p, calls, 0, null)))).build();
            var link = assertThrows(IllegalStateException.class, () -> m.instantiate(lying));
            assertTrue(link.getMessage().contains("env.reenter"), link.getMessage());
            // one object for two plugins would hand the first plugin's context to the second
            var shared = new AtomicReference<HostFunctionDef.Bound>();
            var sharing = PluginPolicy.builder().hostModule(envWith(HostFunctionDef.bound("env", "reenter", I32_I32,
                    p -> shared.updateAndGet(b -> b != null ? b : new AddTen(p, calls, 1, null))))).build();
            m.instantiate(sharing);
            var twice = assertThrows(IllegalStateException.class, () -> m.instantiate(sharing));
            assertTrue(twice.getMessage().contains("new object"), twice.getMessage());
            var nulls = PluginPolicy.builder().hostModule(envWith(HostFunctionDef.bound("env", "reenter", I32_I32, p -> null))).build();
            assertThrows(IllegalStateException.class, () -> m.instantiate(nulls));
            assertEquals(1, calls.size(), "only the wrong-count call reached the host: " + calls);
        }
    }
}
