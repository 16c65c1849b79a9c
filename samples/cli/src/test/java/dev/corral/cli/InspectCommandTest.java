package dev.corral.cli;

import static dev.corral.cli.Cli.run;
import static dev.corral.cli.Cli.wasm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
    private static String sha256(String file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Path.of(file))));
    }

    @Test
    void textListsImportsExportsMemoriesAndDigest() throws Exception {
        String file = wasm("hello_command");
        var r = run("inspect", file);
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("sha256   " + sha256(file)), r.out());
        assertTrue(lines.contains("imports  (2)"), r.out());
        assertTrue(lines.contains("  function wasi_snapshot_preview1.fd_write  (i32, i32, i32, i32) -> (i32)"), r.out());
        assertTrue(lines.contains("  function wasi_snapshot_preview1.proc_exit  (i32) -> ()"), r.out());
        assertTrue(lines.contains("  function _start  () -> ()"), r.out());
        assertTrue(lines.contains("  memory   memory"), r.out());
        assertTrue(lines.contains("  memory   0  min 1 page (64 KiB), max none"), r.out());
    }

    @Test
    void textShowsMemoryMaximum() {
        var r = run("inspect", wasm("big_memory"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  memory   0  min 4 pages (256 KiB), max 8 pages (512 KiB)"), r.out());
        assertTrue(r.out().contains("imports  (0)"), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonParsesAndHasTheSameFacts() throws Exception {
        String file = wasm("numbers");
        var r = run("inspect", "--json", file);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().endsWith("}\n"), "one JSON document, one line");
        var doc = (Map<String, Object>) MiniJson.parse(r.out().strip());

        assertEquals(sha256(file), doc.get("sha256"));
        assertEquals("numbers", doc.get("module"));
        var imports = (List<Map<String, Object>>) doc.get("imports");
        assertEquals(1, imports.size());
        assertEquals(Map.of("module", "wasi_snapshot_preview1", "name", "proc_exit", "kind", "function", "type", "(i32) -> ()"),
                imports.get(0));

        var exports = (List<Map<String, Object>>) doc.get("exports");
        var split = exports.stream().filter(e -> "split".equals(e.get("name"))).findFirst().orElseThrow();
        assertEquals("function", split.get("kind"));
        assertEquals(List.of("f64"), split.get("params"));
        assertEquals(List.of("i32", "f64"), split.get("results"));
        assertEquals("(f64) -> (i32, f64)", split.get("type"));
        assertEquals(7, exports.size());
        assertEquals(List.of(), doc.get("memories"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonMemories() {
        var doc = (Map<String, Object>) MiniJson.parse(run("inspect", "--json", wasm("big_memory")).out());
        assertEquals(List.of(Map.of("index", 0L, "imported", false, "min_pages", 4L, "max_pages", 8L)), doc.get("memories"));
        var hello = (Map<String, Object>) MiniJson.parse(run("inspect", "--json", wasm("hello_command")).out());
        var mem = ((List<Map<String, Object>>) hello.get("memories")).get(0);
        assertTrue(mem.containsKey("max_pages") && mem.get("max_pages") == null, "no max is an explicit null: " + mem);
    }

    @Test
    void inspectDoesNotNeedImportsToBeGranted() {
        var r = run("inspect", wasm("needs_host"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("env.get_secret  (i32) -> (i32)"), r.out());
    }

    @Test
    void withoutCompileNothingIsCompiledAndCodeSizeIsShown() {
        var r = run("inspect", wasm("numbers"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("code     \\d+ functions, largest \\d+ bytes")), r.out());
        assertTrue(r.out().lines().noneMatch(l -> l.startsWith("compiled ")), r.out());
    }

    @Test
    @SuppressWarnings("unchecked")
    void compileReportsWhatCameOutAsTextAndJson() throws Exception {
        var text = run("inspect", "--compile", wasm("numbers"));
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("compiled ") && l.contains("functions to JVM bytecode")), text.out());
        assertTrue(text.out().contains("interp.  0 functions in Chicory's interpreter"), text.out());
        assertTrue(text.out().contains("over JIT 0 functions"), text.out());
        var json = run("inspect", "--json", "--compile", wasm("numbers"));
        assertEquals(0, json.code(), json.err());
        var doc = (Map<String, Object>) MiniJson.parse(json.out().strip());
        var compile = (Map<String, Object>) doc.get("compile");
        assertEquals(List.of(), compile.get("interpreted_functions"));
        assertEquals(List.of(), compile.get("above_jit_limit"));
        assertTrue(((Number) compile.get("largest_method_bytes")).intValue() > 0, compile.toString());
        assertEquals(((Number) doc.get("functions")).intValue(), ((Number) compile.get("compiled_functions")).intValue());
    }
}
