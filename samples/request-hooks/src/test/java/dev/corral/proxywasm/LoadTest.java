package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
import dev.corral.LimitSource;
import dev.corral.ModuleLoadException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What is refused when a filter is built, with messages that say why. */
class LoadTest {
    @Test
    void aModuleWithoutTheAbiMarkerIsRefused() {
        var e = assertThrows(ModuleLoadException.class, () -> Filters.filter("not_a_filter").build());
        assertEquals(ModuleLoadException.Reason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("not a proxy-wasm filter") && e.getMessage().contains("proxy_abi_version_0_2_1"), e.getMessage());
    }

    @Test
    void aCallbackOfTheWrongTypeIsRefused() {
        var e = assertThrows(ModuleLoadException.class, () -> Filters.filter("wrong_signature").build());
        assertTrue(e.getMessage().contains("proxy_on_request_headers is (i32, i32) -> (i32)"), e.getMessage());
    }

    @Test
    void aVmThatRefusesToStartFailsTheBuild() {
        var e = assertThrows(FilterStartException.class, () -> Filters.filter("refuses_vm").build());
        assertTrue(e.getMessage().contains("proxy_on_vm_start returned false"), e.getMessage());
    }

    @Test
    void aRefusedConfigurationFailsTheBuild() {
        var e = assertThrows(FilterStartException.class, () -> Filters.filter("c_headers").pluginConfig("refuse").build());
        assertTrue(e.getMessage().contains("proxy_on_configure returned false"), e.getMessage());
    }

    @Test
    void aNonFilterCoreModuleIsStillUnlinkableWithoutTheHost() {
        // the host functions exist only through the filter: a plain instance cannot link them
        assertThrows(dev.corral.UnlinkableModuleException.class, () -> Filters.module("c_headers").instantiate().close());
    }

    /** slow_start.wat: _initialize spins 300,000 iterations (over a million fuel units), a request costs ~10. */
    @Test
    void startUpHasABudgetOfItsOwnNotTheCallbacks() throws Exception {
        try (var f = Filters.filter("slow_start").fuel(100_000).build()) {
            var up = new Filters.Echo();
            assertEquals(200, FilterChain.of(f).execute(Filters.get("/"), up).status());
            assertEquals(1, up.count());
        }
    }

    @Test
    void startUpUnderTheCallbackBudgetRunsOutOfFuel() {
        var e = assertThrows(FilterStartException.class, () -> Filters.filter("slow_start").fuel(100_000).startFuel(0).build());
        var cause = assertInstanceOf(FuelExhaustedException.class, e.getCause(), e.toString());
        assertEquals(LimitSource.POLICY, cause.source()); // the per-callback budget
    }

    @Test
    void aStartUpThatOutrunsStartFuelFailsTheBuild() {
        var e = assertThrows(FilterStartException.class, () -> Filters.filter("slow_start").fuel(100_000).startFuel(50_000).build());
        var cause = assertInstanceOf(FuelExhaustedException.class, e.getCause(), e.toString());
        assertEquals(LimitSource.INITIALIZATION, cause.source());
        assertTrue(e.getMessage().contains("_initialize"), e.getMessage());
    }

    @Test
    void aStartUpThatOutrunsStartTimeoutFailsTheBuild() {
        var e = assertThrows(FilterStartException.class,
                () -> Filters.filter("slow_start").timeout(Duration.ofSeconds(30)).startTimeout(Duration.ofNanos(1)).build());
        var cause = assertInstanceOf(CallTimeoutException.class, e.getCause(), e.toString());
        assertEquals(LimitSource.INITIALIZATION, cause.source());
    }
}
