package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A function too large for one JVM method: Chicory's compiler leaves it to its interpreter, which
 * cannot stop a br_if loop on its own. Corral must notice and run the interruptible rewrite.
 */
class HugeFunctionTest {
    /** (func (export "spin") (param i32) (result i32) (loop (local.set 0 (i32.add (local.get 0) (i32.const 1))) x N (br_if 0 (i32.const 1))) unreachable) */
    static byte[] hugeSpinner(int repetitions) {
        var body = new ByteArrayOutputStream();
        body.write(0); // no locals besides the param
        body.writeBytes(new byte[] {0x03, 0x40}); // loop
        for (int i = 0; i < repetitions; i++) {
            body.writeBytes(new byte[] {0x20, 0x00, 0x41, 0x01, 0x6a, 0x21, 0x00});
        }
        body.writeBytes(new byte[] {0x41, 0x01, 0x0d, 0x00, 0x0b, 0x00, 0x0b}); // i32.const 1 br_if 0 end unreachable end
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

    @Test
    void aLoopInAFunctionTooLargeToCompileStillStopsAtTheDeadline() {
        try (var corral = Corral.create()) {
            var module = corral.load(hugeSpinner(40_000));
            var p = module.instantiate(PluginPolicy.builder().timeout(Duration.ofMillis(200)).build());
            long t0 = System.nanoTime();
            assertThrows(CallTimeoutException.class, () -> p.call("spin", 0));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3000, "stopped after " + ms + " ms");
            // the second load knows from the cache that it needs the fallback, and behaves the same
            var again = corral.load(hugeSpinner(40_000)).instantiate(PluginPolicy.builder().timeout(Duration.ofMillis(200)).build());
            assertThrows(CallTimeoutException.class, () -> again.call("spin", 0));
            assertEquals(2, corral.stats().modulesLoaded());
            // proof that the fallback path ran: a whole-module compile failed (with and without the
            // cache), then the rewritten module compiled; the second load went straight to it
            assertEquals(3, corral.stats().compilations());
            assertEquals(1, corral.stats().cacheHits());
        }
    }
}
