package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ModuleLoader#metered}: a host that runs its plugins with fuel compiles the module once
 * (the metered variant, at load), not the plain variant first and the metered one again.
 */
class MeteredLoadTest {
    /** A cache that keeps nothing, so every variant built is a compilation. */
    private static final CompileCache NONE = new CompileCache() {
        @Override
        public byte[] get(String key) {
            return null;
        }

        @Override
        public void putIfAbsent(String key, byte[] data) {}
    };

    private static byte[] loops() throws Exception {
        return Files.readAllBytes(Path.of(MeteredLoadTest.class.getResource("/wasm/loops.wasm").toURI()));
    }

    private static final PluginPolicy FUEL = PluginPolicy.builder().fuel(1_000_000).timeout(Duration.ofSeconds(10)).build();

    @Test
    void aMeteredLoadCompilesTheMeteredVariantOnly() throws Exception {
        try (var corral = Corral.builder().compileCache(NONE).build()) {
            var m = corral.loader().metered(true).load(loops());
            assertEquals(1, corral.stats().compilations());
            assertTrue(m.meteredCompileFacts().isPresent(), "metered facts known at load");
            try (var p = m.instantiate(FUEL)) {
                assertEquals(1000, p.call("count", 1000).getInt(0));
                assertTrue(p.fuelConsumed() > 1000, "fuel " + p.fuelConsumed());
            }
            assertEquals(1, corral.stats().compilations(), "a policy with fuel found the metered variant built");
            // the plain variant when something needs it
            try (var p = m.instantiate(PluginPolicy.builder().timeout(Duration.ofSeconds(10)).build())) {
                assertEquals(7, p.call("count", 7).getInt(0));
            }
            assertEquals(2, corral.stats().compilations());
            assertEquals(ExecutionMode.COMPILED, m.compileFacts().mode());
            assertEquals(2, corral.stats().compilations());
        }
    }

    @Test
    void fuelCountsDoNotDependOnWhichVariantWasBuiltFirst() throws Exception {
        try (var corral = Corral.builder().compileCache(NONE).build()) {
            var first = corral.loader().metered(true).load(loops());
            var later = corral.loader().load(loops());
            try (var a = first.instantiate(FUEL); var b = later.instantiate(FUEL)) {
                a.call("count", 500);
                b.call("count", 500);
                assertEquals(b.fuelConsumed(), a.fuelConsumed());
            }
        }
    }

    @Test
    void aMeteredLoadOfAHugeFunctionSplitsTheMeteredVariantAtLoad() {
        try (var corral = Corral.builder().compileCache(NONE).build()) {
            var m = corral.loader().metered(true).load(HugeFunctionTest.hugeSpinner(40_000, false));
            var facts = m.meteredCompileFacts().orElseThrow();
            assertEquals(List.of("spin"), facts.splitFunctions());
            assertEquals(List.of(), facts.interpretedFunctions());
            assertEquals(1, corral.stats().compilations());
        }
    }

    @Test
    void tieredAndMetered() throws Exception {
        try (var corral = Corral.builder().compileCache(NONE).build()) {
            var m = corral.loader().tiered(true).metered(true).load(loops());
            try (var p = m.instantiate(FUEL)) {
                assertEquals(300, p.call("count", 300).getInt(0)); // interpreted or compiled: the same
            }
            assertTrue(m.awaitCompiled(Duration.ofMinutes(2)));
            assertEquals(ExecutionMode.COMPILED, m.meteredCompileFacts().orElseThrow().mode());
            try (var p = m.instantiate(FUEL)) {
                assertEquals(300, p.call("count", 300).getInt(0));
            }
        }
    }

    @Test
    void anInspectedModuleCompiledMeteredStillAnswersLinkChecks() throws Exception {
        try (var corral = Corral.builder().compileCache(NONE).build()) {
            var info = corral.loader().metered(true).inspect(loops());
            var m = info.compile();
            assertEquals(1, corral.stats().compilations());
            assertEquals(List.of(), info.unlinkableImports(FUEL));
            assertFalse(m.meteredCompileFacts().isEmpty());
        }
    }

    /**
     * The build's tests validate what our rewrites produce (the surefire property
     * {@code dev.corral.internal.validateRewrites}); production decodes it without validation. This
     * runs the production path, metering and splitting included, against the validating one.
     */
    @Test
    void theProductionPathDecodesRewritesUnvalidatedAndRunsTheSame() throws Exception {
        String property = "dev.corral.internal.validateRewrites";
        String before = System.getProperty(property);
        long[] fuel = new long[2];
        int[] results = new int[2];
        try {
            for (int k = 0; k < 2; k++) {
                System.setProperty(property, Boolean.toString(k == 0));
                try (var corral = Corral.builder().compileCache(NONE).build()) {
                    var huge = corral.loader().metered(true).load(HugeFunctionTest.hugeSpinner(40_000, false));
                    assertEquals(List.of("spin"), huge.meteredCompileFacts().orElseThrow().splitFunctions());
                    var m = corral.loader().metered(true).load(loops());
                    try (var p = m.instantiate(FUEL)) {
                        results[k] = p.call("count", 700).getInt(0);
                        fuel[k] = p.fuelConsumed();
                    }
                }
            }
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
        assertEquals(700, results[1]);
        assertEquals(results[0], results[1]);
        assertEquals(fuel[0], fuel[1], "the same fuel validated or not");
    }
}
