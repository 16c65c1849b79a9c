package dev.corral;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Hostile modules: whatever bytes come in, load + instantiate + calling every export may only end
 * in Corral's typed exceptions (or IllegalArgument/IllegalState for API misuse). Any other
 * throwable escapes and is a Jazzer finding.
 *
 * <p>Plain {@code ./mvnw verify} runs the seed corpus (the WAT fixtures, compiled by the build
 * into {@code LoadFuzzTestInputs/loadInstantiateCall}) plus any committed crash reproducers;
 * {@code JAZZER_FUZZ=1} fuzzes (see core/README.md, "Fuzzing").
 */
class LoadFuzzTest {
    private static Corral interpreted;
    private static Corral compiled;

    @BeforeAll
    static void engines() {
        interpreted = Fixtures.engine(ExecutionMode.INTERPRETED);
        compiled = Fixtures.engine(ExecutionMode.COMPILED);
    }

    @AfterAll
    static void close() {
        interpreted.close();
        compiled.close();
    }

    @FuzzTest(maxDuration = "60s")
    void loadInstantiateCall(byte[] wasm) {
        // the input's length picks the mode and the guard, so each input replays identically
        Corral engine = (wasm.length & 1) == 0 ? interpreted : compiled;
        var policy = PluginPolicy.builder().timeout(Duration.ofMillis(200));
        if ((wasm.length & 2) == 0) {
            policy.fuel(1_000_000); // deterministic stop for loops, cheaper than waiting for the timeout
        }
        try {
            PluginModule m = engine.load(wasm);
            try (Plugin p = m.instantiate(policy.build())) {
                for (var e : m.exports()) {
                    if (e.signature() != null) {
                        callOnce(p, e);
                    }
                }
                if (p.memoryPages() > 0) {
                    p.memory().read(0, 1);
                }
            }
        } catch (CorralException | IllegalArgumentException | IllegalStateException expected) {
            // typed: fine
        }
    }

    private static void callOnce(Plugin p, ExportDescriptor e) {
        Object[] args = new Object[e.signature().params().size()];
        for (int i = 0; i < args.length; i++) {
            switch (e.signature().params().get(i)) {
                case I32: args[i] = i; break;
                case I64: args[i] = (long) i; break;
                case F32: args[i] = (float) i; break;
                case F64: args[i] = (double) i; break;
                default: args[i] = null; break;
            }
        }
        try {
            p.call(e.name(), args);
        } catch (CorralException | IllegalArgumentException | IllegalStateException expected) {
            // a trap, a timeout, an unsupported signature: keep calling the other exports
        }
    }
}
