package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConfinementTest {
    private static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aSecondThreadFailsFastWhileTheFirstIsInsideACall(ExecutionMode mode) throws Exception {
        var entered = new CountDownLatch(1);
        var proceed = new CountDownLatch(1);
        var env = HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "log", FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of()), (c, a) -> null),
                HostFunctionDef.of("env", "block", VOID, (c, a) -> {
                    entered.countDown();
                    assertTrue(proceed.await(10, TimeUnit.SECONDS));
                    return null;
                }),
                HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                        (c, a) -> new long[] {a[0]})));
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder().hostModule(env).build());
            var first = CompletableFuture.runAsync(() -> {
                p.call("wait");
                p.release();
            });
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            var e = assertThrows(IllegalStateException.class, () -> p.call("double", 21));
            assertTrue(e.getMessage().contains("not thread-safe"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> p.function("double"));
            assertThrows(IllegalStateException.class, p::release);
            proceed.countDown();
            first.get(10, TimeUnit.SECONDS);
            // released by its owner: now this thread may use it
            assertEquals(42, p.call("double", 21).getInt(0));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void ownershipStaysWithTheLastThreadUntilReleased(ExecutionMode mode) throws Exception {
        try (var corral = Fixtures.engine(mode)) {
            var p = corral.load(Fixtures.wasm("arith")).instantiate();
            assertEquals(3, p.call("add", 1, 2).getInt(0));
            var other = CompletableFuture.supplyAsync(() -> {
                try {
                    p.call("add", 1, 2);
                    return "called";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            }).get(10, TimeUnit.SECONDS);
            assertTrue(other.contains("is in use by thread"), other);
            p.release();
            assertEquals(7, CompletableFuture.supplyAsync(() -> p.call("add", 3, 4).getInt(0)).get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void guestToHostToGuestReentryOnTheOwningThreadWorks(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode)) {
            var holder = new Plugin[1];
            var env = HostModuleDef.of("env", List.of(
                    HostFunctionDef.of("env", "log", FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of()), (c, a) -> null),
                    HostFunctionDef.of("env", "block", VOID, (c, a) -> null),
                    HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                            (c, a) -> new long[] {holder[0].call("double", (int) a[0]).getInt(0) + 1})));
            var p = corral.load(Fixtures.wasm("host")).instantiate(PluginPolicy.builder().hostModule(env).build());
            holder[0] = p;
            assertEquals(21, p.call("via_host", 10).getInt(0));
        }
    }
}
