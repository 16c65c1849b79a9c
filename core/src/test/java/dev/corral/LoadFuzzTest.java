package dev.corral;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Hostile modules: whatever bytes come in, load + instantiate + calling every export may only end
 * in Corral's typed exceptions (or IllegalArgument/IllegalState for API misuse), never in the
 * generic "failed inside the runtime" one. Any other throwable escapes and is a Jazzer finding.
 * Loads run under the default LoadLimits, so a count the bytes declare can never make the parser
 * allocate without bound (issue 12, item 7).
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
        // short bounds: a runaway export costs the campaign its whole bound, and most inputs that
        // run at all run away (still long enough to reach every path of the guards)
        var policy = PluginPolicy.builder().timeout(Duration.ofMillis(50));
        if ((wasm.length & 2) == 0) {
            policy.fuel(100_000); // deterministic stop for loops, cheaper than waiting for the timeout
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
        } catch (CorralException e) {
            requireSpecific(e);
        } catch (IllegalArgumentException | IllegalStateException expected) {
            // API misuse (an export Java cannot call): fine
        }
    }

    /**
     * A module Chicory accepts but cannot run surfaced as the generic "failed inside the runtime"
     * CorralException (issue 12, item 15): the pre-validator must refuse it at load, naming why.
     * Any such failure is a finding.
     */
    private static void requireSpecific(CorralException e) {
        if (e.getClass() == CorralException.class && String.valueOf(e.getMessage()).contains("inside the runtime")) {
            throw new AssertionError("a module Corral loaded failed inside the runtime: " + e.getMessage(), e);
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
        } catch (CorralException ex) {
            requireSpecific(ex); // a trap, a timeout, fuel: keep calling the other exports
        } catch (IllegalArgumentException | IllegalStateException expected) {
            // an unsupported signature
        }
    }
}
