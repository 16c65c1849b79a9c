package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.ExecutionMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A filter written with the AssemblyScript SDK (@solo-io/proxy-runtime), unmodified SDK runtime included. */
class AssemblyScriptTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void headersLocalReplyBodyCounterAndTicks(ExecutionMode mode) throws Exception {
        var log = new RecordingLogger();
        try (var f = Filters.filter("as_filter", mode).rootId("as_filter").bodyChunkBytes(8).logger(log)
                .timeout(Duration.ofSeconds(10)).build()) {
            assertEquals(AbiVersion.V0_2_0, f.abiVersion());
            var up = new Filters.Echo();
            var req = Filters.get("/pets").method("POST").body("my cat likes the other cat".getBytes(StandardCharsets.UTF_8));
            req.headers().add("x-as-replace", "old").add("x-as-remove", "x");
            Response r = FilterChain.of(f).execute(req, up);
            Request seen = up.last();
            assertEquals("yes", seen.headers().get("x-as-added"));
            assertEquals("replaced", seen.headers().get("x-as-replace"));
            assertNull(seen.headers().get("x-as-remove"));
            assertEquals("1", seen.headers().get("x-as-count"));
            assertEquals("my dog likes the other dog|as", new String(seen.body(), StandardCharsets.UTF_8));
            assertEquals("yes", r.headers().get("x-as-response"));
            assertTrue(log.contains("as_filter saw /pets"), log.records.toString());

            FilterChain.of(f).execute(Filters.get("/again"), up);
            assertEquals("2", up.last().headers().get("x-as-count"), "a shared-data counter");

            Response denied = FilterChain.of(f).execute(Filters.get("/deny"), up);
            assertEquals(403, denied.status());
            assertEquals("denied by as_filter\n", denied.bodyText());
            assertEquals(2, up.count());

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (f.sharedData().get("as_ticks") == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(f.sharedData().get("as_ticks") != null, "proxy_on_tick ran");
        }
    }
}
