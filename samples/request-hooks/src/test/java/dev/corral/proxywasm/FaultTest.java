package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CallTimeoutException;
import dev.corral.ExecutionMode;
import dev.corral.FuelExhaustedException;
import dev.corral.PluginExitException;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile filters (c_hostile.c, as_filter.ts): every kind of fault fails its request closed (a 500,
 * nothing reaches the upstream) or open (the request goes on unfiltered), the faulted VM is
 * replaced, and the filter keeps serving.
 */
class FaultTest {
    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("c_hostile", "/loop", FaultKind.TIMEOUT, CallTimeoutException.class, false),
                Arguments.of("c_hostile", "/loop", FaultKind.FUEL, FuelExhaustedException.class, true),
                Arguments.of("c_hostile", "/bomb", FaultKind.MEMORY, TrapException.class, false),
                Arguments.of("c_hostile", "/trap", FaultKind.TRAP, TrapException.class, false),
                Arguments.of("c_hostile", "/stack", FaultKind.STACK, StackExhaustedException.class, false),
                Arguments.of("as_filter", "/abort", FaultKind.EXIT, PluginExitException.class, false));
    }

    private static ProxyWasmFilter hostile(String name, String path, ExecutionMode mode, boolean fuel, FailStrategy strategy,
            List<FilterFault> seen) {
        // 300 ms stops the endless loop; the other faults must not be mistaken for a timeout on a busy machine
        Duration timeout = path.equals("/loop") && !fuel ? Duration.ofMillis(300) : Duration.ofSeconds(10);
        var b = Filters.filter(name, mode).rootId("as_filter").timeout(timeout).maxMemory(4L << 20)
                .failStrategy(strategy).workers(2).onFault(seen::add);
        if (fuel) {
            b.fuel(1_000_000).timeout(Duration.ofSeconds(30)); // fuel, not the clock, must stop it, even interpreted
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}, fail closed")
    @MethodSource("faults")
    void failsClosedAndKeepsServing(String name, String path, FaultKind kind, Class<?> cause, boolean fuel) throws Exception {
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        try (var f = hostile(name, path, ExecutionMode.COMPILED, fuel, FailStrategy.FAIL_CLOSED, seen)) {
            var up = new Filters.Echo();
            Response r = FilterChain.of(f).execute(Filters.get(path), up);
            assertEquals(500, r.status());
            assertEquals(0, up.count(), "nothing reaches the upstream");
            assertEquals(1, seen.size());
            assertEquals(kind, seen.get(0).kind(), seen.get(0).toString());
            assertTrue(cause.isInstance(seen.get(0).cause()), "cause: " + seen.get(0).cause());
            assertEquals(FailStrategy.FAIL_CLOSED, seen.get(0).strategy());

            for (int i = 0; i < 3; i++) { // the faulted VM was replaced: the filter serves on
                assertEquals(200, FilterChain.of(f).execute(Filters.get("/fine"), up).status());
            }
            assertEquals(3, up.count());
            FilterStats s = f.stats();
            assertEquals(1L, s.faults().get(kind));
            assertEquals(1, s.vmsReplaced());
            assertTrue(s.vmsStarted() >= 2);
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}, fail open")
    @MethodSource("faults")
    void failsOpenToTheUpstreamUnfiltered(String name, String path, FaultKind kind, Class<?> cause, boolean fuel) throws Exception {
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        try (var f = hostile(name, path, ExecutionMode.COMPILED, fuel, FailStrategy.FAIL_OPEN, seen)) {
            var up = new Filters.Echo();
            var req = Filters.get(path);
            req.headers().add("x-original", "1");
            Response r = FilterChain.of(f).execute(req, up);
            assertEquals(200, r.status());
            assertEquals(1, up.count());
            assertEquals("1", up.last().headers().get("x-original"));
            assertEquals(kind, seen.get(0).kind());
            assertEquals(FailStrategy.FAIL_OPEN, seen.get(0).strategy());
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/fine"), up).status());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void endlessLoopIsStoppedInBothModes(ExecutionMode mode) throws Exception {
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        try (var f = hostile("c_hostile", "/loop", mode, false, FailStrategy.FAIL_CLOSED, seen)) {
            assertEquals(500, FilterChain.of(f).execute(Filters.get("/loop"), new Filters.Echo()).status());
            assertEquals(FaultKind.TIMEOUT, seen.get(0).kind());
        }
        seen.clear();
        try (var f = hostile("c_hostile", "/loop", mode, true, FailStrategy.FAIL_CLOSED, seen)) {
            assertEquals(500, FilterChain.of(f).execute(Filters.get("/loop"), new Filters.Echo()).status());
            assertEquals(FaultKind.FUEL, seen.get(0).kind());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void faultInTheResponsePhase(ExecutionMode mode) throws Exception {
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        Upstream failing = req -> {
            var r = new Response(201).body("from upstream".getBytes());
            r.headers().add("x-fail", "1");
            return r;
        };
        try (var closed = hostile("c_hostile", "/fine", mode, false, FailStrategy.FAIL_CLOSED, seen);
                var open = hostile("c_hostile", "/fine", mode, false, FailStrategy.FAIL_OPEN, seen)) {
            Response c = FilterChain.of(closed).execute(Filters.get("/fine"), failing);
            assertEquals(500, c.status());
            assertEquals("filter_fault:trap", c.details());
            Response o = FilterChain.of(open).execute(Filters.get("/fine"), failing);
            assertEquals(201, o.status(), "fail open: the upstream's response as it came");
            assertEquals("from upstream", o.bodyText());
            assertEquals("proxy_on_response_headers", seen.get(0).callback());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void perKindStrategy(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_hostile", mode).timeout(Duration.ofMillis(300)).failStrategy(FailStrategy.FAIL_CLOSED)
                .failStrategy(FaultKind.TRAP, FailStrategy.FAIL_OPEN).build()) {
            var up = new Filters.Echo();
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/trap"), up).status());
            assertEquals(500, FilterChain.of(f).execute(Filters.get("/loop"), up).status());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void badPointersAndHugeOrInjectedHeadersAreRefusedNotFatal(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_hostile", mode).timeout(Duration.ofSeconds(20)).build()) {
            var up = new Filters.Echo();
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/huge"), up).status());
            assertEquals("2", up.last().headers().get("x-huge-status"), "BAD_ARGUMENT: over the header limit");
            assertEquals("2", up.last().headers().get("x-huge-pairs-status"));
            assertNull(up.last().headers().get("x-huge"));

            FilterChain.of(f).execute(Filters.get("/crlf"), up);
            assertEquals("2", up.last().headers().get("x-crlf-status"), "a value with CR LF would split the header");
            assertEquals("2", up.last().headers().get("x-name-status"));
            assertNull(up.last().headers().get("x-evil"));
            assertNull(up.last().headers().get("x-injected"));

            FilterChain.of(f).execute(Filters.get("/badptr"), up);
            assertEquals("6", up.last().headers().get("x-badptr-status"), "INVALID_MEMORY_ACCESS");
            assertEquals("6", up.last().headers().get("x-badlen-status"));
            assertEquals("6", up.last().headers().get("x-badout-status"));
            assertEquals("6", up.last().headers().get("x-badget-status"), "proxy_get_header_map_value told to write outside");
            assertEquals("6", up.last().headers().get("x-badkey-status"), "proxy_get_header_map_value given a key outside");
            assertEquals(0, f.stats().faultCount());
        }
        try (var f = Filters.filter("c_badalloc", mode).build()) {
            var up = new Filters.Echo();
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/x"), up).status());
            assertEquals("6", up.last().headers().get("x-badalloc-status"), "its malloc pointed outside its memory");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void overloadedWhenEveryVmIsBusy(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_headers", mode).workers(1).borrowTimeout(Duration.ofMillis(50)).build()) {
            var inner = new java.util.concurrent.atomic.AtomicReference<Response>();
            Response outer = FilterChain.of(f).execute(Filters.get("/a"), req -> {
                // the only VM is lent to this stream until it ends: a second stream must wait, then give up
                inner.set(FilterChain.of(f).execute(Filters.get("/b"), new Filters.Echo()));
                return new Response(200);
            });
            assertEquals(200, outer.status());
            assertEquals(503, inner.get().status());
            assertEquals(1L, f.stats().faults().get(FaultKind.OVERLOADED));
            assertEquals(0, f.stats().vmsReplaced(), "nothing was wrong with the VM");
        }
        try (var f = Filters.filter("c_headers", mode).workers(1).borrowTimeout(Duration.ofMillis(50))
                .failStrategy(FaultKind.OVERLOADED, FailStrategy.FAIL_OPEN).build()) {
            var inner = new java.util.concurrent.atomic.AtomicReference<Response>();
            var innerUp = new Filters.Echo();
            FilterChain.of(f).execute(Filters.get("/a"), req -> {
                inner.set(FilterChain.of(f).execute(Filters.get("/b"), innerUp));
                return new Response(200);
            });
            assertEquals(200, inner.get().status(), "fail open: served unfiltered");
            assertNull(innerUp.last().headers().get("x-added"));
        }
    }
}
