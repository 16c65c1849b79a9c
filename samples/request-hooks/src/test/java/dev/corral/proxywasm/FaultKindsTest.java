package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CallTimeoutException;
import dev.corral.ExecutionMode;
import dev.corral.FuelExhaustedException;
import dev.corral.HostFunctionException;
import dev.corral.PluginExitException;
import dev.corral.PoolExhaustedException;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import dev.corral.capabilities.WasiClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link FaultKind}, provoked by a real filter built from source (c_hostile.c, c_start.c),
 * under both fail strategies and in both execution modes: the faulted request's outcome (fail
 * closed: a 500, 503 when OVERLOADED, and nothing reaches the upstream; fail open: the upstream
 * gets the request as the filter received it, without what the filter did before it faulted), the
 * onFault report and the stats, and that the filter serves the next request, filtered, on a fresh
 * VM when the old one was discarded.
 */
class FaultKindsTest {
    /** A log sink that fails (a full disk, a closed socket) on every record, or only on those containing {@code text}. */
    static final class BrokenLogger implements System.Logger {
        private final String text;

        BrokenLogger(String text) {
            this.text = text;
        }

        @Override
        public String getName() {
            return "broken";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
            if (msg.contains(text)) {
                throw new IllegalStateException("log sink full");
            }
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
            log(level, bundle, format, (Throwable) null);
        }
    }

    /** Runs the request that faults; {@code up} is the upstream it would reach. */
    @FunctionalInterface
    interface Provoke {
        Response run(ProxyWasmFilter f, Filters.Echo up) throws IOException;
    }

    /**
     * How one kind of fault is provoked, and what must follow.
     *
     * @param reported the kinds onFault must see, in order (a replacement VM's START follows the TRAP that discarded the old one)
     * @param replaced VMs discarded by the time the faulted request is answered
     * @param freshVm whether the next request runs on a VM started after the fault
     */
    record Case(FaultKind kind, String filter, UnaryOperator<ProxyWasmFilter.Builder> config, Provoke provoke,
            Class<? extends Throwable> cause, String callback, List<FaultKind> reported, int replaced, boolean freshVm) {
        @Override
        public String toString() {
            return kind.name();
        }
    }

    private static Request marked(String path) {
        var r = Filters.get(path);
        r.headers().add("x-original", "1");
        return r;
    }

    private static Provoke path(String path) {
        return (f, up) -> FilterChain.of(f).execute(marked(path), up);
    }

    private static Case vmFault(FaultKind kind, String path, UnaryOperator<ProxyWasmFilter.Builder> config,
            Class<? extends Throwable> cause) {
        return new Case(kind, "c_hostile", config, path(path), cause, "proxy_on_request_headers", List.of(kind), 1, true);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(vmFault(FaultKind.TRAP, "/trap", b -> b, TrapException.class));
        cases.add(vmFault(FaultKind.TIMEOUT, "/loop", b -> b.timeout(Duration.ofMillis(300)), CallTimeoutException.class));
        // fuel, not the clock, must stop it, even interpreted on a busy machine
        cases.add(vmFault(FaultKind.FUEL, "/loop", b -> b.fuel(1_000_000).timeout(Duration.ofSeconds(30)),
                FuelExhaustedException.class));
        cases.add(vmFault(FaultKind.MEMORY, "/bomb", b -> b.maxMemory(4L << 20), TrapException.class));
        cases.add(vmFault(FaultKind.STACK, "/stack", b -> b, StackExhaustedException.class));
        cases.add(vmFault(FaultKind.EXIT, "/exit", b -> b, PluginExitException.class));
        // the host fails on the filter's behalf: its log sink throws on the filter's line
        cases.add(vmFault(FaultKind.HOST, "/log", b -> b.logger(new BrokenLogger("c_hostile logs a line")),
                HostFunctionException.class));
        // paused with nothing to wait for and no tick to resume it: the host gives up on the stream at once
        cases.add(new Case(FaultKind.STALLED, "c_hostile", b -> b, path("/stall"), null, "proxy_on_request_*",
                List.of(FaultKind.STALLED), 1, true));
        // the first request leaves poison in shared data and traps; the VM started for the next one fails to configure
        cases.add(new Case(FaultKind.START, "c_start", b -> b, (f, up) -> {
            FilterChain.of(f).execute(Filters.get("/poison-trap"), new Filters.Echo());
            return FilterChain.of(f).execute(marked("/fine"), up);
        }, TrapException.class, "proxy_on_configure", List.of(FaultKind.TRAP, FaultKind.START), 1, true));
        // the only VM is lent to the outer stream until it ends: the inner stream waits, then gives up
        cases.add(new Case(FaultKind.OVERLOADED, "c_hostile", b -> b.workers(1).borrowTimeout(Duration.ofMillis(50)),
                (f, up) -> {
                    var inner = new AtomicReference<Response>();
                    FilterChain.of(f).execute(Filters.get("/fine"), req -> {
                        inner.set(FilterChain.of(f).execute(marked("/fine"), up));
                        return new Response(200);
                    });
                    return inner.get();
                }, PoolExhaustedException.class, "borrow", List.of(FaultKind.OVERLOADED), 0, false));
        return cases;
    }

    static Stream<Arguments> matrix() {
        return cases().stream().flatMap(c -> Stream.of(FailStrategy.values()).flatMap(s -> Stream.of(ExecutionMode.values())
                .map(m -> Arguments.of(c, s, m))));
    }

    @Test
    void everyFaultKindHasACase() {
        assertEquals(EnumSet.allOf(FaultKind.class),
                cases().stream().map(Case::kind).collect(Collectors.toCollection(() -> EnumSet.noneOf(FaultKind.class))));
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("matrix")
    void faultIsHandledAndTheFilterServesOn(Case c, FailStrategy strategy, ExecutionMode mode) throws Exception {
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        var builder = Filters.filter(c.filter(), mode).timeout(Duration.ofSeconds(10)).workers(2)
                .failStrategy(strategy).onFault(seen::add);
        try (var f = c.config().apply(builder).build()) {
            var up = new Filters.Echo();
            Response r = c.provoke().run(f, up);

            if (strategy == FailStrategy.FAIL_CLOSED) {
                assertEquals(c.kind() == FaultKind.OVERLOADED ? 503 : 500, r.status());
                assertEquals("filter_fault:" + c.kind().name().toLowerCase(Locale.ROOT), r.details());
                assertEquals(0, up.count(), "nothing reaches the upstream");
            } else {
                assertEquals(200, r.status());
                assertEquals(1, up.count(), "the request goes on");
                assertEquals("1", up.last().headers().get("x-original"));
                assertNull(up.last().headers().get("x-seen"), "unfiltered: what the filter did before it faulted is dropped");
            }

            assertEquals(c.reported(), seen.stream().map(FilterFault::kind).collect(Collectors.toList()), seen.toString());
            FilterFault fault = seen.get(seen.size() - 1);
            assertEquals(strategy, fault.strategy());
            assertEquals(c.callback(), fault.callback());
            if (c.cause() == null) {
                assertNull(fault.cause());
            } else {
                assertTrue(c.cause().isInstance(fault.cause()), "cause: " + fault.cause());
            }
            FilterStats s = f.stats();
            assertEquals(1L, s.faults().get(c.kind()), s.toString());
            assertEquals(c.reported().size(), s.faultCount(), s.toString());
            assertEquals(c.replaced(), s.vmsReplaced(), s.toString());

            long started = s.vmsStarted();
            for (int i = 0; i < 3; i++) { // the filter serves on, filtered
                var next = new Filters.Echo();
                assertEquals(200, FilterChain.of(f).execute(Filters.get("/fine"), next).status());
                assertEquals("1", next.last().headers().get("x-seen"));
            }
            FilterStats after = f.stats();
            assertEquals(started + (c.freshVm() ? 1 : 0), after.vmsStarted(),
                    c.freshVm() ? "one fresh VM replaced the faulted one" : "the VM was not at fault: it serves on");
            assertEquals(s.faultCount(), after.faultCount(), "no further faults");
            assertEquals(1, f.vms());
        }
    }

    @ParameterizedTest(name = "vm config ''{0}'', plugin config ''{1}''")
    @MethodSource("startFailures")
    void aFilterThatCannotStartFailsItsBuild(String vmConfig, String pluginConfig, String message,
            Class<? extends Throwable> cause) {
        var e = assertThrows(FilterStartException.class,
                () -> Filters.filter("c_start").vmConfig(vmConfig).pluginConfig(pluginConfig).build().close());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        if (cause == null) {
            assertNull(e.getCause(), "the filter said no: nothing else went wrong");
        } else {
            assertTrue(cause.isInstance(e.getCause()), "cause: " + e.getCause());
        }
    }

    static Stream<Arguments> startFailures() {
        return Stream.of(
                Arguments.of("refuse", "", "proxy_on_vm_start returned false", null),
                Arguments.of("trap", "", "proxy_on_vm_start", TrapException.class),
                Arguments.of("", "refuse", "proxy_on_configure returned false", null),
                Arguments.of("", "trap", "proxy_on_configure", TrapException.class));
    }

    @Test
    void aReplacementVmThatRefusesItsConfigurationIsAStartFault() throws Exception {
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        try (var f = Filters.filter("c_start").onFault(seen::add).build()) {
            FilterChain.of(f).execute(Filters.get("/poison-refuse"), new Filters.Echo());
            var up = new Filters.Echo();
            assertEquals(500, FilterChain.of(f).execute(Filters.get("/fine"), up).status());
            assertEquals(0, up.count());
            FilterFault start = seen.get(1);
            assertEquals(FaultKind.START, start.kind());
            assertNull(start.cause());
            assertEquals("proxy_on_configure", start.callback());
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/fine"), up).status());
            assertEquals("1", up.last().headers().get("x-seen"));
            assertEquals(2, f.stats().vmsStarted(), "the build's VM and the one after the refusal");
        }
    }

    @Test
    void aLoggerThatThrowsIsAHostFaultAndTheFaultIsStillHandled() throws Exception {
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        var broken = new BrokenLogger("");
        try (var f = Filters.filter("c_hostile").logger(broken).onFault(seen::add).build()) {
            var up = new Filters.Echo();
            // the host fails to log the filter's line, then to log the fault too: the request is answered all the same
            assertEquals(500, FilterChain.of(f).execute(Filters.get("/log"), up).status());
            assertEquals(0, up.count());
            assertEquals(FaultKind.HOST, seen.get(0).kind());
            var cause = (HostFunctionException) seen.get(0).cause();
            assertEquals("env.proxy_log", cause.function());
            assertTrue(cause.getCause() instanceof IllegalStateException, "the logger's exception: " + cause.getCause());
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/fine"), up).status());
        }
    }

    @Test
    void aClockThatFailsIsAHostFaultAndLeaksNoVm() throws Exception {
        WasiClock broken = new WasiClock() { // a clock backed by a time service that is down
            @Override
            public long realtimeNanos() {
                throw new IllegalStateException("time service unavailable");
            }

            @Override
            public long monotonicNanos() {
                throw new IllegalStateException("time service unavailable");
            }
        };
        List<FilterFault> seen = new CopyOnWriteArrayList<>();
        try (var f = Filters.filter("c_hostile").clock(broken).workers(1).borrowTimeout(Duration.ofMillis(200))
                .onFault(seen::add).build()) {
            var up = new Filters.Echo();
            for (int i = 0; i < 3; i++) { // with one VM, a VM lost on the first would make the others OVERLOADED
                Response r = FilterChain.of(f).execute(Filters.get("/fine"), up);
                assertEquals(500, r.status());
                assertEquals("filter_fault:host", r.details());
            }
            assertEquals(0, up.count());
            assertEquals(List.of(FaultKind.HOST, FaultKind.HOST, FaultKind.HOST),
                    seen.stream().map(FilterFault::kind).collect(Collectors.toList()));
            assertTrue(seen.get(0).cause() instanceof IllegalStateException, "the clock's exception: " + seen.get(0).cause());
            assertEquals(0, f.stats().vmsReplaced(), "the VM was not at fault");
            assertEquals(1, f.stats().vmsStarted());
        }
    }
}
