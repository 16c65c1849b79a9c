package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.Capability;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WasiDenyByDefaultTest {
    private static Corral corral;
    private static PluginModule module;

    @BeforeAll
    static void load() {
        corral = Corral.builder().build();
        module = corral.load(WasiDenyByDefaultTest.class.getResourceAsStream("/wasm/wasi_denied.wasm"));
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    @Test
    void withoutAGrantEveryWasiCallDeniesWithAnErrno() {
        try (var p = module.instantiate()) {
            var w = p.call("write_stdout");
            assertEquals(0, w.getInt(0), "stdout writes succeed");
            assertEquals(6, w.getInt(1), "and report every byte written (discarded)");
            assertEquals(76, p.call("random").getInt(0), "random_get: ENOTCAPABLE");
            assertEquals(8, p.call("open").getInt(0), "path_open on a non-existent preopen: EBADF");
            assertEquals(8, p.call("prestat").getInt(0), "no preopens: EBADF ends the scan");
            var c = p.call("clock");
            assertEquals(0, c.getInt(0));
            assertEquals(0L, c.getLong(1), "no clock granted: reads 0");
            assertEquals(1, p.call("argc").getInt(1), "argv is the plugin's name only");
            var sleep = p.call("sleep");
            assertEquals(0, sleep.getInt(0), "a sleep returns at once: time stands still");
            assertEquals(77L, sleep.getLong(1));
            var e = assertThrows(PluginExitException.class, () -> p.call("exit", 7));
            assertEquals(7, e.exitCode());
        }
    }

    @Test
    void everyPreview1FunctionLinksWithoutAGrant() {
        var all = corral.load(WasiDenyByDefaultTest.class.getResourceAsStream("/wasm/all_wasi.wasm"));
        assertEquals(46, all.imports().size());
        try (var p = all.instantiate()) {
            assertEquals(8, p.call("sock").getInt(0), "sockets on a descriptor that is not open: EBADF");
            assertEquals(76, p.call("raise").getInt(0), "signals: ENOTCAPABLE");
            assertEquals(0, p.call("yield").getInt(0));
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void legacyStdoutSettingStillForwards() {
        var out = new ByteArrayOutputStream();
        try (var p = module.instantiate(PluginPolicy.builder().stdout(out).build())) {
            p.call("write_stdout");
        }
        assertEquals("hello\n", out.toString());
    }

    @Test
    void aCapabilityIsBoundPerInstanceTakesPriorityAndIsClosedWithThePlugin() {
        var binds = new AtomicInteger();
        var closes = new AtomicInteger();
        Capability cap = m -> {
            binds.incrementAndGet();
            var f = HostFunctionDef.of("wasi_snapshot_preview1", "random_get",
                    FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of(ValueType.I32)),
                    (ctx, a) -> new long[] {0});
            return new Capability.Binding() {
                @Override
                public List<HostModuleDef> hostModules() {
                    return List.of(HostModuleDef.of("wasi_snapshot_preview1", List.of(f)));
                }

                @Override
                public void close() {
                    closes.incrementAndGet();
                }
            };
        };
        var policy = PluginPolicy.builder().grant(cap).build();
        try (var a = module.instantiate(policy); var b = module.instantiate(policy)) {
            assertEquals(0, a.call("random").getInt(0));
            assertEquals(8, a.call("prestat").getInt(0), "functions the capability lacks still deny");
            assertEquals(0, b.call("random").getInt(0));
            // linking binds once to learn the capability's functions (closed at once), then once per instance;
            // the second instance reuses the link
            assertEquals(3, binds.get());
            assertEquals(1, closes.get());
        }
        assertEquals(3, closes.get());
    }

    @Test
    void aCapabilityThatRefusesTheModuleFailsInstantiation() {
        Capability refuse = m -> {
            throw new UnlinkableModuleException(m.name(), m.imports(), "strict");
        };
        var e = assertThrows(UnlinkableModuleException.class,
                () -> module.instantiate(PluginPolicy.builder().grant(refuse).build()));
        assertTrue(e.getMessage().contains("random_get"));
    }

    /** Issue 12 item 9 for the stub: one fd_write moves at most 4 MiB, written or discarded. */
    @Test
    @SuppressWarnings("deprecation")
    void oneWriteIsBoundedWhetherKeptOrDiscarded() {
        var bounds = corral.load(Fixtures.wasm("wasi_stub_bounds"));
        var out = new ByteArrayOutputStream();
        try (var kept = bounds.instantiate(PluginPolicy.builder().stdout(out).build());
                var discarded = bounds.instantiate(PluginPolicy.defaults())) {
            assertEquals(4 << 20, kept.call("huge_write").getInt(0), "a short count: 64 MiB asked");
            assertEquals(4 << 20, out.size());
            assertEquals(4 << 20, discarded.call("huge_write").getInt(0));
        }
    }

    @Test
    void socketsAnswerLikeTheCapabilitysDenyAll() {
        try (var p = corral.load(Fixtures.wasm("wasi_stub_bounds")).instantiate()) {
            assertEquals(57, p.call("sock", 1).getInt(0), "stdout is not a socket: ENOTSOCK");
            assertEquals(8, p.call("sock", 7).getInt(0), "no descriptor 7: EBADF");
        }
    }
}
