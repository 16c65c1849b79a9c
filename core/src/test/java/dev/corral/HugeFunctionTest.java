package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Functions too large for one JVM method. Corral splits them into helpers that each fit (and stay
 * under HotSpot's JIT limit), so they run compiled; one the splitter cannot cut falls back to
 * Chicory's interpreter, which cannot stop a br_if loop on its own, so Corral runs the
 * interruptible rewrite and says so in the module's compile facts.
 */
class HugeFunctionTest {
    /**
     * {@code (func (export "spin") (param i32) (result i32) (loop (local.set 0 (i32.add (local.get
     * 0) (i32.const 1))) x N (br_if 0 (i32.const 1))) unreachable)}; with {@code tryTable}, the loop
     * sits in a {@code try_table}, which the splitter does not move.
     */
    static byte[] hugeSpinner(int repetitions, boolean tryTable) {
        var body = new ByteArrayOutputStream();
        body.write(0); // no locals besides the param
        if (tryTable) {
            body.writeBytes(new byte[] {0x02, 0x40, 0x1F, 0x40, 0x01, 0x02, 0x00}); // block, try_table (catch_all 0)
        }
        body.writeBytes(new byte[] {0x03, 0x40}); // loop
        for (int i = 0; i < repetitions; i++) {
            body.writeBytes(new byte[] {0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00});
        }
        body.writeBytes(new byte[] {0x41, 0x01, 0x0d, 0x00, 0x0b}); // i32.const 1 br_if 0 end
        if (tryTable) {
            body.writeBytes(new byte[] {0x0b, 0x0b}); // end try_table, end block
        }
        body.writeBytes(new byte[] {0x00, 0x0b}); // unreachable end
        byte[] b = body.toByteArray();
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        out.writeBytes(new byte[] {1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f}); // type (i32)->(i32)
        out.writeBytes(new byte[] {3, 2, 1, 0}); // one function of type 0
        out.writeBytes(new byte[] {7, 8, 1, 4, 's', 'p', 'i', 'n', 0, 0}); // export "spin"
        var code = new ByteArrayOutputStream();
        code.write(1);
        leb(code, b.length);
        code.writeBytes(b);
        out.write(10);
        leb(out, code.size());
        out.writeBytes(code.toByteArray());
        return out.toByteArray();
    }

    private static void leb(ByteArrayOutputStream out, int v) {
        do {
            int x = v & 0x7f;
            v >>>= 7;
            out.write(v != 0 ? x | 0x80 : x);
        } while (v != 0);
    }

    private static void stopsAtTheDeadline(PluginModule module) {
        var p = module.instantiate(PluginPolicy.builder().timeout(Duration.ofMillis(200)).build());
        long t0 = System.nanoTime();
        assertThrows(CallTimeoutException.class, () -> p.call("spin", 0));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3000, "stopped after " + ms + " ms");
    }

    @Test
    void aFunctionTooLargeForAJvmMethodIsSplitAndRunsCompiled() {
        try (var corral = Corral.create()) {
            var module = corral.load(hugeSpinner(40_000, false));
            var facts = module.compileFacts();
            assertEquals(List.of("spin"), facts.splitFunctions());
            assertTrue(facts.helperFunctions() > 10, "helpers: " + facts.helperFunctions());
            assertEquals(List.of(), facts.interpretedFunctions());
            assertEquals(List.of(), facts.aboveJitLimit());
            assertTrue(facts.fullSpeed());
            assertTrue(facts.largestMethodBytes() <= CompileFacts.JIT_LIMIT, facts.toString());
            stopsAtTheDeadline(module);
            // the second load reads the rewritten module and its bytecode from the cache
            var again = corral.load(hugeSpinner(40_000, false));
            assertTrue(again.compileFacts().fromCache());
            assertEquals(facts.helperFunctions(), again.compileFacts().helperFunctions());
            stopsAtTheDeadline(again);
            assertEquals(1, corral.stats().compilations());
            assertEquals(1, corral.stats().cacheHits());
        }
    }

    /**
     * {@code (func (export "crunch") (param i32) (result i32)} N statements {@code local.set 0
     * (i32.add (local.get 0) (i32.const 1))}, then {@code i32.div_u} by the parameter: with 0, the
     * trap happens in the last helper the function was cut into.
     */
    static byte[] hugeDivider(int repetitions) {
        var body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {1, 1, 0x7f}); // one i32 local: the divisor
        body.writeBytes(new byte[] {0x20, 0x00, 0x21, 0x01}); // keep the parameter
        for (int i = 0; i < repetitions; i++) {
            body.writeBytes(new byte[] {0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00});
        }
        body.writeBytes(new byte[] {0x20, 0x00, 0x20, 0x01, 0x6e, 0x0b}); // local 0 / local 1, end
        byte[] b = body.toByteArray();
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        out.writeBytes(new byte[] {1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f});
        out.writeBytes(new byte[] {3, 2, 1, 0});
        out.writeBytes(new byte[] {7, 10, 1, 6, 'c', 'r', 'u', 'n', 'c', 'h', 0, 0});
        var code = new ByteArrayOutputStream();
        code.write(1);
        leb(code, b.length);
        code.writeBytes(b);
        out.write(10);
        leb(out, code.size());
        out.writeBytes(code.toByteArray());
        return out.toByteArray();
    }

    @Test
    void aTrapInsideAHelperNamesTheFunctionItWasCutFrom() {
        try (var corral = Corral.create()) {
            var module = corral.load(hugeDivider(20_000));
            assertEquals(List.of("crunch"), module.compileFacts().splitFunctions());
            var p = module.instantiate();
            assertEquals(20_007 / 7, p.call("crunch", 7).getInt(0));
            var e = assertThrows(TrapException.class, () -> p.call("crunch", 0));
            assertEquals(TrapException.Kind.INTEGER_DIVIDE_BY_ZERO, e.kind());
            assertEquals(java.util.Optional.of("crunch"), e.function());
            // metered: helpers of the fuel-passing clone name the function too
            var m = module.instantiate(PluginPolicy.builder().fuel(1_000_000).build());
            var metered = assertThrows(TrapException.class, () -> m.call("crunch", 0));
            assertEquals(java.util.Optional.of("crunch"), metered.function());
            assertTrue(module.meteredCompileFacts().orElseThrow().splitFunctions().contains("crunch"),
                    module.meteredCompileFacts().toString());
        }
    }

    @Test
    void aFunctionTheSplitterCannotCutRunsInterpretedAndStillStopsAtTheDeadline() {
        try (var corral = Corral.create()) {
            var module = corral.load(hugeSpinner(40_000, true));
            var facts = module.compileFacts();
            assertEquals(List.of("spin"), facts.interpretedFunctions());
            assertEquals(0, facts.compiledFunctions());
            assertFalse(facts.fullSpeed());
            stopsAtTheDeadline(module);
            var again = corral.load(hugeSpinner(40_000, true));
            assertEquals(List.of("spin"), again.compileFacts().interpretedFunctions());
            assertTrue(again.compileFacts().fromCache());
            stopsAtTheDeadline(again);
        }
    }
}
