package dev.corral.benchmarks.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CI's tiny version of the load test: every setup serves correct responses for a fraction of a second. */
class HooksLoadSmokeTest {
    @Test
    void everySetupServesCorrectResponses() throws Exception {
        List<HooksLoadTest.Result> results = HooksLoadTest.runAll(Duration.ofMillis(100), Duration.ofMillis(300), 1);
        assertEquals(6, results.size());
        for (HooksLoadTest.Result r : results) {
            assertTrue(r.requests() > 0, r.toString());
            assertEquals(0, r.badResponses(), r.toString());
        }
    }
}
