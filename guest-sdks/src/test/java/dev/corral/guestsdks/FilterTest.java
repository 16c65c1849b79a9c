package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.PluginPolicy;
import dev.corral.TrapException;
import dev.corral.UnlinkableModuleException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code filter} example behaves identically in C, Rust and AssemblyScript: each case runs
 * through all three, and their verdicts, headers and log records must equal the rules of
 * guest-sdks/README.md (and so each other).
 */
class FilterTest {
    private static Corral corral;

    @BeforeAll
    static void engine() {
        corral = Corral.create();
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // method, path, headers, expected result, expected log records (level 2 = info)
                Arguments.of("GET", "/", "Host: example.com\nAccept: */*\n", "allow\nhost: example.com\naccept: */*\nx-filtered-by: corral\n", List.of()),
                Arguments.of("POST", "/api", "", "allow\nx-filtered-by: corral\n", List.of()),
                Arguments.of("HEAD", "/", "Cookie: s=1\nX-Trace: a: b\n\n\nLast: no newline",
                        "allow\nx-trace: a: b\nlast: no newline\nx-filtered-by: corral\n", List.of()),
                Arguments.of("GET", "/admin/users", "Accept: */*\n", "deny 401\n", List.of("2 deny 401 GET /admin/users")),
                Arguments.of("GET", "/administrator", "AUTHORIZATION: Bearer x\nCOOKIE: k\n",
                        "allow\nauthorization: Bearer x\nx-filtered-by: corral\n", List.of()),
                Arguments.of("DELETE", "/", "Host: h\n", "deny 405\n", List.of("2 deny 405 DELETE /")),
                Arguments.of("get", "/", "", "deny 405\n", List.of("2 deny 405 get /")),
                Arguments.of("GET", "/", "no colon here\n", "deny 400\n", List.of("2 deny 400 GET /")),
                Arguments.of("GET", "/", ": empty name\n", "deny 400\n", List.of("2 deny 400 GET /")),
                Arguments.of("GET", "/", "Name:nospace\n", "deny 400\n", List.of("2 deny 400 GET /")),
                // a malformed header wins over a bad method: headers are checked first
                Arguments.of("PUT", "/admin", "bad", "deny 400\n", List.of("2 deny 400 PUT /admin")),
                Arguments.of("GET", "/ünïcødé/😀", "X-Émoji: 😀\n", "allow\nx-Émoji: 😀\nx-filtered-by: corral\n", List.of()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sameVerdictHeadersAndLogsInEveryLanguage(String method, String path, String headers, String expected, List<String> logs) {
        Map<String, String> results = new LinkedHashMap<>();
        Map<String, List<String>> records = new LinkedHashMap<>();
        for (String lang : Examples.LANGUAGES) {
            var log = new RecordingLog(2);
            var policy = PluginPolicy.builder().hostModule(new CorralLog_CorralHost(log)).build();
            try (var plugin = Examples.instantiate(corral, lang, "filter", policy)) {
                results.put(lang, plugin.as(RequestFilter.class).filter(method, path, headers));
            }
            records.put(lang, new ArrayList<>(log.records));
        }
        for (String lang : Examples.LANGUAGES) {
            assertEquals(expected, results.get(lang), lang);
            assertEquals(logs, records.get(lang), lang + " log");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void anEmptyMethodIsAnErrorReportedToTheHost(String lang) {
        var log = new RecordingLog(0);
        var policy = PluginPolicy.builder().hostModule(new CorralLog_CorralHost(log)).build();
        try (var plugin = Examples.instantiate(corral, lang, "filter", policy)) {
            var e = assertThrows(TrapException.class, () -> plugin.as(RequestFilter.class).filter("", "/", ""));
            assertEquals(TrapException.Kind.UNREACHABLE, e.kind());
        }
        assertEquals(List.of("4 filter: empty method"), log.records);
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void logsOnlyWhenGranted(String lang) {
        var e = assertThrows(UnlinkableModuleException.class,
                () -> Examples.instantiate(corral, lang, "filter", PluginPolicy.defaults()).close());
        assertTrue(e.getMessage().contains("corral_log"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"c", "rust", "assemblyscript"})
    void manyCallsOnOneInstance(String lang) {
        var log = new RecordingLog(3);
        var policy = PluginPolicy.builder().hostModule(new CorralLog_CorralHost(log)).build();
        try (var plugin = Examples.instantiate(corral, lang, "filter", policy)) {
            var filter = plugin.as(RequestFilter.class);
            String headers = "X-Big: " + "v".repeat(100_000) + "\nCookie: c\n";
            for (int i = 0; i < 200; i++) {
                assertEquals("allow\nx-big: " + "v".repeat(100_000) + "\nx-filtered-by: corral\n", filter.filter("GET", "/p" + i, headers));
                assertEquals("deny 405\n", filter.filter("PUT", "/p" + i, ""));
            }
        }
        assertEquals(List.of(), log.records, "info records are below the host's threshold");
    }
}
