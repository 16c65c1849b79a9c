package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Header maps, pseudo-headers, local replies: c_headers.c on the raw ABI, in both execution modes. */
class HeadersTest {
    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void addsReplacesAndRemovesRequestAndResponseHeaders(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_headers", mode).pluginConfig("cfg-value").build()) {
            assertEquals(AbiVersion.V0_2_1, f.abiVersion());
            var up = new Filters.Echo();
            var req = Filters.get("/hello?x=1");
            req.headers().add("x-replace", "a").add("x-replace", "b").add("x-remove", "gone");
            Response resp = FilterChain.of(f).execute(req, up);

            Request seen = up.last();
            assertEquals("yes", seen.headers().get("x-added"));
            assertEquals(java.util.List.of("replaced"), seen.headers().getAll("x-replace"));
            assertNull(seen.headers().get("x-remove"));
            assertEquals("cfg-value", seen.headers().get("x-config"));
            assertEquals("1", seen.headers().get("x-missing-status"), "0.2.x: a missing key is NOT_FOUND");
            assertEquals("/hello?x=1", seen.path());

            assertEquals(200, resp.status());
            assertEquals("yes", resp.headers().get("x-response"));
            assertEquals("200", resp.headers().get("x-seen-status"));
            assertNull(resp.headers().get("x-upstream-secret"), "response header removed");
            assertEquals("x", req.headers().get("x-remove") == null ? "" : "x", "the caller's request is not modified");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void pseudoHeadersRewriteTheRequestAndTheStatus(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_headers", mode).build()) {
            var up = new Filters.Echo();
            FilterChain.of(f).execute(Filters.get("/rewrite/me"), up);
            Request seen = up.last();
            assertEquals("/rewritten?by=filter", seen.path());
            assertEquals("PUT", seen.method());
            assertEquals("upstream.test", seen.authority());

            Response teapot = FilterChain.of(f).execute(Filters.get("/teapot"), up);
            assertEquals(418, teapot.status());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void headerPairsRoundTrip(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_headers", mode).build()) {
            var up = new Filters.Echo();
            var req = Filters.get("/pairs");
            req.headers().add("a", "1").add("a", "2").add("b", "");
            FilterChain.of(f).execute(req, up);
            Request seen = up.last();
            // 4 pseudo-headers + user-agent, a, a, b + x-added and x-replace, added before the pairs are read
            assertEquals("10", seen.headers().get("x-pairs-count"));
            assertEquals("1", seen.headers().get("x-pairs-size-ok"));
            assertEquals(java.util.List.of("1", "2"), seen.headers().getAll("a"));
            assertEquals("", seen.headers().get("b"));
            assertEquals("GET", seen.method());
            assertEquals("/pairs", seen.path());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void localReplyStopsTheRequest(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("c_headers", mode).build()) {
            var up = new Filters.Echo();
            Response resp = FilterChain.of(f).execute(Filters.get("/deny/this"), up);
            assertEquals(403, resp.status());
            assertEquals("denied by c_headers\n", resp.bodyText());
            assertEquals("text/plain", resp.headers().get("content-type"));
            assertEquals("denied_by_filter", resp.details());
            assertEquals(0, up.count(), "nothing reaches the upstream");
            assertEquals("yes", resp.headers().get("x-response"), "the reply passes the filter's response callbacks");
            assertEquals(1, f.stats().localReplies());
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void abi010HeadersWithoutEndOfStreamAndGetConfiguration(ExecutionMode mode) throws Exception {
        try (var f = Filters.filter("abi_0_1_0", mode).pluginConfig("old-style").build()) {
            assertEquals(AbiVersion.V0_1_0, f.abiVersion());
            var up = new Filters.Echo();
            FilterChain.of(f).execute(Filters.get("/"), up);
            assertEquals("old-style", up.last().headers().get("x-config"));
            assertEquals("0", up.last().headers().get("x-missing-len"), "0.1.0: a missing key is OK and empty");
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void chainRunsFiltersInOrderAndRepliesGoBackThroughEarlierFilters(ExecutionMode mode) throws Exception {
        try (var shape = Filters.filter("go_sdk_shape", mode).build();
                var headers = Filters.filter("c_headers", mode).build()) {
            var up = new Filters.Echo();
            Response denied = FilterChain.of(shape, headers).execute(Filters.get("/deny"), up);
            assertEquals(403, denied.status());
            assertEquals("go-0.2.0", denied.headers().get("x-sdk-shape"), "the first filter's response callback ran");
            assertEquals(0, up.count());
            Response ok = FilterChain.of(shape, headers).execute(Filters.get("/ok"), up);
            assertEquals(200, ok.status());
            assertTrue(up.last().headers().get("x-added") != null && up.last().headers().get("x-sdk-shape") != null);
        }
    }
}
