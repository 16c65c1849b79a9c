package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.ExecutionMode;
import dev.corral.ImportDescriptor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Filters with the import/export shapes of the Go (wasip1, WASI), Rust (wasm32-wasip1) and C++
 * (emscripten) SDKs link and run: every host function those SDKs declare is there with the types
 * they declare (see src/test/wat/*_sdk_shape.wat for where each list comes from).
 */
class SdkShapeTest {
    @ParameterizedTest
    @CsvSource({"go_sdk_shape,go-0.2.0,V0_2_0,COMPILED", "rust_sdk_shape,rust-0.2.1,V0_2_1,COMPILED",
        "cpp_sdk_shape,cpp-0.2.1,V0_2_1,COMPILED", "go_sdk_shape,go-0.2.0,V0_2_0,INTERPRETED",
        "rust_sdk_shape,rust-0.2.1,V0_2_1,INTERPRETED", "cpp_sdk_shape,cpp-0.2.1,V0_2_1,INTERPRETED"})
    void linksAndRuns(String name, String shape, AbiVersion abi, ExecutionMode mode) throws Exception {
        var log = new RecordingLogger();
        try (var f = Filters.filter(name, mode).pluginConfig("{\"k\":1}").logger(log).build()) {
            assertEquals(abi, f.abiVersion());
            var up = new Filters.Echo();
            Response r = FilterChain.of(f).execute(Filters.get("/"), up);
            assertEquals(shape, up.last().headers().get("x-sdk-shape"));
            assertEquals("{\"k\":1}", up.last().headers().get("x-config"));
            assertEquals(shape, r.headers().get("x-sdk-shape"));
            if (name.startsWith("go")) {
                assertTrue(log.contains("INFO [go_sdk_shape] go runtime initialised"), "WASI stdout goes to the log at INFO: " + log.records);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"go_sdk_shape,wasi_snapshot_preview1,45", "cpp_sdk_shape,env,emscripten_notify_memory_growth"})
    void theShapesImportWhatTheSdksImport(String name, String module, String what) {
        var imports = Filters.module(name).imports();
        if (what.matches("\\d+")) {
            assertEquals(Integer.parseInt(what), imports.stream().filter(i -> i.module().equals(module)).count());
        } else {
            assertTrue(imports.stream().map(ImportDescriptor::name).anyMatch(what::equals));
        }
    }
}
