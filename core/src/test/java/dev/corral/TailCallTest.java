package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, item 13: the same module and input end the same way compiled and interpreted. Before,
 * a million-deep self tail recursion completed interpreted but exhausted the JVM stack compiled,
 * and a self tail call in a function with a local failed interpreted only.
 */
class TailCallTest {
    private static final PluginPolicy TIMEOUT = PluginPolicy.builder().timeout(Duration.ofSeconds(30)).build();
    private static final PluginPolicy METERED = TIMEOUT.toBuilder().fuel(1_000_000_000L).build();

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void selfTailRecursionRunsInConstantStack(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("tail_calls")).instantiate(TIMEOUT)) {
            assertEquals(42, p.call("down", 1_000_000).getInt(0));
            assertEquals(1, p.call("fresh", 5).getInt(0)); // every (tail) call starts with its local at 0
            assertEquals(1000, p.call("brif", 5000).getInt(0)); // br_if to the function's label
            assertEquals(5, p.call("brif", 500).getInt(0));
            assertEquals(7, p.call("brtable", 100).getInt(0)); // br_table to the function's label
            assertEquals(5, p.call("brtable", 6).getInt(0));
            assertEquals(1, p.call("even", 10).getInt(0));
            assertEquals(0, p.call("even", 7).getInt(0)); // through return_call_indirect
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void deepMutualTailRecursionEndsTheSameWayInBothModes(ExecutionMode mode) {
        try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("tail_calls")).instantiate(TIMEOUT)) {
            // tail calls to other functions take a frame each, as Chicory's compiled code always did
            assertThrows(StackExhaustedException.class, () -> p.call("even", 1_000_000));
            assertThrows(StackExhaustedException.class, () -> p.call("rec_forever"));
            assertEquals(1, p.call("even", 100).getInt(0)); // still usable
        }
    }

    /**
     * A function whose self tail call cannot become a loop (a local without a default value to
     * reset, here a non-nullable funcref) gets the call-and-return form: a frame per call, the
     * same in both modes, stopped by the metered depth limit.
     */
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aSelfTailCallThatCannotLoopTakesAFrame(ExecutionMode mode) {
        // (func $f (param i32) (result i32) (local (ref func))
        //   ref.func $f  local.set 1
        //   (if (result i32) (i32.eqz (local.get 0)) (then i32.const 7) (else (return_call $f (local.get 0 - 1)))))
        byte[] code = WasmBytes.cat(WasmBytes.bytes(0xD2, 0x00, 0x21, 0x01, 0x20, 0x00, 0x45, 0x04, WasmBytes.I32),
                WasmBytes.i32Const(7), WasmBytes.bytes(0x05, 0x20, 0x00), WasmBytes.i32Const(1),
                WasmBytes.bytes(0x6B, 0x12, 0x00, 0x0B));
        byte[] wasm = WasmBytes.module(
                WasmBytes.section(WasmBytes.TYPE, WasmBytes.vec(WasmBytes.funcType(new int[] {WasmBytes.I32}, new int[] {WasmBytes.I32}))),
                WasmBytes.section(WasmBytes.FUNCTION, WasmBytes.vec(WasmBytes.u32(0))),
                WasmBytes.section(WasmBytes.EXPORT, WasmBytes.vec(WasmBytes.export("run", 0, 0))),
                WasmBytes.section(WasmBytes.ELEMENT, WasmBytes.vec(WasmBytes.bytes(0x03, 0x00, 0x01, 0x00))), // declare func 0
                WasmBytes.section(WasmBytes.CODE, WasmBytes.vec(WasmBytes.body(WasmBytes.bytes(0x01, 0x01, 0x64, 0x70), code))));
        try (var corral = Fixtures.engine(mode); var p = corral.load(wasm).instantiate(METERED)) {
            assertEquals(7, p.call("run", 10).getInt(0));
            var e = assertThrows(StackExhaustedException.class, () -> p.call("run", 100_000));
            assertTrue(e.getMessage().contains("limit of " + PluginPolicy.DEFAULT_MAX_CALL_DEPTH), e.getMessage());
        }
    }

    @Test
    void meteredTailCallsUseTheSameFuelInBothModes() {
        long[] fuel = new long[2];
        for (ExecutionMode mode : ExecutionMode.values()) {
            try (var corral = Fixtures.engine(mode); var p = corral.load(Fixtures.wasm("tail_calls")).instantiate(METERED)) {
                assertEquals(42, p.call("down", 100_000).getInt(0));
                assertEquals(1, p.call("fresh", 1_000).getInt(0));
                assertEquals(7, p.call("brtable", 100).getInt(0));
                fuel[mode.ordinal()] = p.fuelConsumedTotal();
            }
        }
        assertEquals(fuel[0], fuel[1]);
    }
}
