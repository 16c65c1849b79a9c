package dev.corral.proxywasm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A VM keeps its memory between streams (as in Envoy) unless isolateStreams restores its started snapshot. */
class IsolationTest {
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void vmMemoryBetweenStreams(boolean isolate) throws Exception {
        try (var f = Filters.filter("vm_counter").workers(1).isolateStreams(isolate).build()) {
            List<String> counts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                var up = new Filters.Echo();
                FilterChain.of(f).execute(Filters.get("/"), up);
                counts.add(up.last().headers().get("x-vm-count"));
            }
            assertEquals(isolate ? List.of("1", "1", "1") : List.of("1", "2", "3"), counts);
            assertEquals(1, f.stats().vmsStarted());
        }
    }
}
