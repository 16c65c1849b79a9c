package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corral's JFR events, recorded for real: a call with its fuel and outcome, a compile and its
 * cache hit, a denied WASI call, a pool borrow that waited, a failing host function.
 */
class EventsTest {
    private static final FunctionSignature VOID = FunctionSignature.of(List.of(), List.of());

    private static List<RecordedEvent> record(Path dir, Runnable work) throws IOException {
        try (var r = new Recording()) {
            for (String e : List.of("PluginCall", "Compile", "CapabilityDenied", "PoolBorrowWait", "HostFunctionFailure")) {
                r.enable("dev.corral." + e).withThreshold(Duration.ZERO);
            }
            r.start();
            work.run();
            r.stop();
            Path file = dir.resolve("corral.jfr");
            r.dump(file);
            return RecordingFile.readAllEvents(file);
        }
    }

    @Test
    void pluginCallsAreOffUnlessARecordingAsks(@TempDir Path dir) throws IOException {
        try (var r = new Recording(jdk.jfr.Configuration.getConfiguration("default"))) {
            r.start();
            try (var corral = Corral.create(); var p = corral.load(Fixtures.wasm("arith")).instantiate()) {
                p.call("add", 1, 2);
            }
            r.stop();
            Path file = dir.resolve("default.jfr");
            r.dump(file);
            var events = RecordingFile.readAllEvents(file);
            assertEquals(0, named(events, "PluginCall", e -> true).size(), "a default recording costs calls nothing");
            assertEquals(1, named(events, "Compile", e -> true).size(), "compiles are on by default");
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name, Predicate<RecordedEvent> where) {
        return events.stream().filter(e -> e.getEventType().getName().equals("dev.corral." + name)).filter(where).toList();
    }

    @Test
    void callsWithTheirFuelAndOutcome(@TempDir Path dir) throws IOException {
        long[] fuel = new long[1];
        var events = record(dir, () -> {
            try (var corral = Corral.create();
                 var plugin = corral.loader().name("arith").load(Fixtures.wasm("arith"))
                         .instantiate(PluginPolicy.builder().fuel(1_000_000).build());
                 var plain = corral.loader().name("traps").load(Fixtures.wasm("traps")).instantiate()) {
                plugin.call("fib", 10);
                fuel[0] = plugin.fuelConsumed();
                plain.function("ok").callRaw();                                     // the fast path, recorded too
                assertThrows(TrapException.class, () -> plain.call("unreachable"));
            }
        });
        var fib = named(events, "PluginCall", e -> "fib".equals(e.getString("export")));
        assertEquals(1, fib.size(), events.toString());
        assertEquals("arith", fib.get(0).getString("module"));
        assertEquals("ok", fib.get(0).getString("outcome"));
        assertTrue(fuel[0] > 0);
        assertEquals(fuel[0], fib.get(0).getLong("fuel"));
        assertEquals(1, named(events, "PluginCall", e -> "ok".equals(e.getString("export")) && "ok".equals(e.getString("outcome"))).size());
        assertEquals(1, named(events, "PluginCall", e -> "unreachable".equals(e.getString("export"))
                && "trap".equals(e.getString("outcome")) && "traps".equals(e.getString("module"))).size());
    }

    @Test
    void compilesAndCacheHits(@TempDir Path dir) throws IOException {
        byte[] wasm = Fixtures.wasm("arith"); // no tail calls: a module with them is compiled rewritten (TailCalls), larger
        var events = record(dir, () -> {
            try (var corral = Corral.create()) {
                corral.loader().name("first").load(wasm);
                corral.loader().name("again").load(wasm);              // same bytes: from the in-memory cache
                assertTrue(corral.stats().compileTime().toNanos() > 0);
            }
        });
        var first = named(events, "Compile", e -> "first".equals(e.getString("module")));
        var again = named(events, "Compile", e -> "again".equals(e.getString("module")));
        assertEquals(1, first.size(), events.toString());
        assertEquals(1, again.size(), events.toString());
        assertEquals(false, first.get(0).getBoolean("cacheHit"));
        assertEquals(true, again.get(0).getBoolean("cacheHit"));
        assertEquals(wasm.length, first.get(0).getLong("size"));
        assertEquals("plain", first.get(0).getString("variant"));
        assertEquals("compiled", first.get(0).getString("outcome"));
    }

    @Test
    void deniedWasiCalls(@TempDir Path dir) throws IOException {
        var events = record(dir, () -> {
            try (var corral = Corral.create();
                 var plugin = corral.loader().name("nogrants").load(Fixtures.wasm("wasi_denied")).instantiate()) {
                plugin.call("random");
            }
        });
        var denied = named(events, "CapabilityDenied", e -> "random_get".equals(e.getString("function")));
        assertEquals(1, denied.size(), events.toString());
        assertEquals("nogrants", denied.get(0).getString("module"));
    }

    @Test
    void aBorrowThatWaited(@TempDir Path dir) throws IOException {
        var events = record(dir, () -> {
            try (var corral = Corral.create();
                 var pool = PluginPool.builder(corral.loader().name("pooled").load(Fixtures.wasm("arith")))
                         .maxSize(1).borrowTimeout(Duration.ofMillis(50)).build();
                 var held = pool.borrow()) {
                assertThrows(PoolExhaustedException.class, pool::borrow);
            }
        });
        var waits = named(events, "PoolBorrowWait", e -> "pooled".equals(e.getString("module")));
        assertEquals(1, waits.size(), events.toString());
        assertEquals("timeout", waits.get(0).getString("outcome"));
        assertEquals(1, waits.get(0).getInt("maxSize"));
        assertTrue(waits.get(0).getDuration().toMillis() >= 40, waits.get(0).toString());
    }

    @Test
    void aFailingHostFunction(@TempDir Path dir) throws IOException {
        var events = record(dir, () -> {
            var env = HostModuleDef.of("env", List.of(
                    HostFunctionDef.of("env", "log", FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of()),
                            (c, a) -> null),
                    HostFunctionDef.of("env", "block", VOID, (c, a) -> {
                        throw new IOException("disk on fire");
                    }),
                    HostFunctionDef.of("env", "reenter", FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32)),
                            (c, a) -> new long[] {a[0]})));
            try (var corral = Corral.create();
                 var plugin = corral.loader().name("host").load(Fixtures.wasm("host"))
                         .instantiate(PluginPolicy.builder().hostModule(env).build())) {
                assertThrows(HostFunctionException.class, () -> plugin.call("wait"));
            }
        });
        var failures = named(events, "HostFunctionFailure", e -> true);
        assertEquals(1, failures.size(), events.toString());
        var f = failures.get(0);
        assertEquals("host", f.getString("module"));
        assertEquals("wait", f.getString("export"));
        assertEquals("env.block", f.getString("function"));
        assertEquals("java.io.IOException", f.getClass("exception").getName());
        assertEquals("disk on fire", f.getString("message"));
        assertEquals(1, named(events, "PluginCall", e -> "host-function".equals(e.getString("outcome"))).size());
    }
}
