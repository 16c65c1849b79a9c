package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.ModuleLoadException.Reason;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class LoadTest {
    private final Corral corral = Corral.create();

    @Test
    void garbageIsMalformed() {
        for (byte[] bad : List.of(new byte[0], new byte[] {0, 'a', 's', 'm'}, "not wasm at all".getBytes(),
                new byte[] {0, 'a', 's', 'm', 2, 0, 0, 0})) {
            var e = assertThrows(ModuleLoadException.class, () -> corral.load(bad));
            assertEquals(Reason.MALFORMED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("malformed"), e.getMessage());
        }
    }

    @Test
    void everyTruncationOfARealModuleIsALoadError() {
        byte[] good = Fixtures.wasm("traps");
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            try {
                corral.load(cut);
            } catch (ModuleLoadException expected) {
                continue; // the only acceptable failure
            }
            // a prefix that ends on a section boundary is itself a valid (smaller) module
            assertTrue(len >= 8, "prefix of " + len + " bytes loaded");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"traps", "arith", "loops", "host", "wasi_exit"})
    void randomlyCorruptedModulesFailWithTypedErrorsOnly(String fixture) {
        byte[] good = Fixtures.wasm(fixture);
        var random = new Random(fixture.hashCode());
        var policy = PluginPolicy.builder().timeout(java.time.Duration.ofMillis(10)).build();
        for (int i = 0; i < 400; i++) {
            byte[] bad = good.clone();
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                bad[8 + random.nextInt(bad.length - 8)] = (byte) random.nextInt(256);
            }
            try {
                var plugin = corral.load(bad).instantiate(policy);
                for (var e : plugin.module().exports()) {
                    if (e.signature() != null && e.signature().params().stream().allMatch(t -> t == ValueType.I32)) {
                        try {
                            plugin.call(e.name(), e.signature().params().stream().map(t -> (Object) 1).toArray());
                        } catch (CorralException expected) {
                            // typed: fine
                        }
                    }
                }
            } catch (CorralException expected) {
                // typed: fine. Anything else fails the test by escaping.
            }
        }
        assertFalse(Thread.interrupted());
    }

    @Test
    void invalidModuleIsInvalid() {
        // (func (result i32)) with an empty body: well-formed, but does not type-check
        byte[] wasm = HexFormat.of().parseHex("0061736d01000000" + "010501600001" + "7f" + "03020100" + "0a040102000b");
        var e = assertThrows(ModuleLoadException.class, () -> corral.load(wasm));
        assertEquals(Reason.INVALID, e.reason(), e.getMessage());
    }

    @Test
    void missingImportsAreAllListedWithTheirTypes() {
        var module = corral.loader().name("needy").load(Fixtures.wasm("imports"));
        var e = assertThrows(UnlinkableModuleException.class, module::instantiate);
        assertEquals(Reason.UNLINKABLE, e.reason());
        assertEquals(3, e.missingImports().size());
        assertTrue(e.getMessage().contains("env.log (function (i32, i32) -> ())"), e.getMessage());
        assertTrue(e.getMessage().contains("env.now (function () -> (i64))"), e.getMessage());
        assertTrue(e.getMessage().contains("env.limit (global const i32)"), e.getMessage());
    }

    @Test
    void aHostFunctionOfTheWrongTypeIsReportedAsSuch() {
        var module = corral.load(Fixtures.wasm("host"));
        var wrong = HostModuleDef.of("env", List.of(
                HostFunctionDef.of("env", "log", FunctionSignature.of(List.of(ValueType.I64), List.of()), (c, a) -> null)));
        var e = assertThrows(UnlinkableModuleException.class,
                () -> module.instantiate(PluginPolicy.builder().hostModule(wrong).build()));
        assertTrue(e.getMessage().contains("env.log (function (i32, i32) -> (); host provides (i64) -> ())"), e.getMessage());
        assertTrue(e.getMessage().contains("env.block"), e.getMessage());
    }

    @Test
    void expectedDigestIsEnforced() throws Exception {
        byte[] wasm = Fixtures.wasm("arith");
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(wasm));
        assertEquals(sha, corral.loader().sha256(sha.toUpperCase()).load(wasm).sha256());
        String other = sha.substring(1) + (sha.charAt(0) == '0' ? "1" : "0");
        var e = assertThrows(ModuleLoadException.class, () -> corral.loader().sha256(other).load(wasm));
        assertEquals(Reason.DIGEST_MISMATCH, e.reason());
        assertThrows(IllegalArgumentException.class, () -> corral.loader().sha256("xyz"));
    }

    @Test
    void loadsFromPathStreamAndResource(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("arith.wasm");
        Files.write(file, Fixtures.wasm("arith"));
        assertEquals("arith", corral.load(file).name());
        assertEquals(3, corral.load(new ByteArrayInputStream(Fixtures.wasm("arith"))).instantiate().call("add", 1, 2).getInt(0));
        var fromResource = corral.loader().loadResource(LoadTest.class, "/wasm/arith.wasm");
        assertEquals("arith", fromResource.name());
        var missing = assertThrows(ModuleLoadException.class, () -> corral.load(dir.resolve("nope.wasm")));
        assertEquals(Reason.UNREADABLE, missing.reason());
        assertTrue(missing.getMessage().contains("nope.wasm"));
        var noResource = assertThrows(ModuleLoadException.class, () -> corral.loader().loadResource(LoadTest.class, "/nope.wasm"));
        assertEquals(Reason.UNREADABLE, noResource.reason());
    }
}
