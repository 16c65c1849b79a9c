package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.ExecutionMode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bodies in chunks, pausing until the end of the stream, and splicing the buffer (c_body.c, ABI 0.2.0). */
class BodyTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void pausesUntilEndOfStreamThenRewritesTheWholeBody(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_body", mode).bodyChunkBytes(10).build()) {
            assertEquals(AbiVersion.V0_2_0, f.abiVersion());
            var up = new Filters.Echo();
            var req = Filters.get("/upload").method("POST").body("hello wasm world, in chunks".getBytes(StandardCharsets.UTF_8));
            Response resp = FilterChain.of(f).execute(req, up);
            // 27 bytes in chunks of 10: the body callback ran 3 times, seeing 10, 20, 27 buffered bytes
            assertEquals("HELLO WASM WORLD, IN CHUNKS|calls=3", new String(up.last().body(), StandardCharsets.UTF_8));
            assertEquals("[HELLO WASM WORLD, IN CHUNKS|calls=3]", resp.bodyText(), "prepend and append on the response");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void emptyBodyNeverReachesTheBodyCallbacks(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_body", mode).build()) {
            var up = new Filters.Echo();
            Response resp = FilterChain.of(f).execute(Filters.get("/"), up);
            assertEquals(0, up.last().body().length);
            assertEquals("", resp.bodyText());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void bodyLargerThanOneChunkAndTheLimit(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_body", mode).timeout(java.time.Duration.ofSeconds(20)).build()) { // 200 KB, interpreted too
            byte[] big = new byte[200_000];
            java.util.Arrays.fill(big, (byte) 'a');
            var up = new Filters.Echo();
            FilterChain.of(f).execute(Filters.get("/").method("POST").body(big), up);
            String got = new String(up.last().body(), StandardCharsets.UTF_8);
            assertEquals(200_000 + "|calls=4".length(), got.length());
            assertEquals('A', got.charAt(199_999));
        }
    }
}
