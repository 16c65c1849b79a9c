package dev.corral.samples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.FuelExhaustedException;
import dev.corral.PluginPolicy;
import dev.corral.capabilities.PluginLogging;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The binder site/observability.md shows, against a real registry: the meters follow the engine. */
class CorralMetricsTest {
    @Test
    void metersFollowTheEngine() {
        var registry = new SimpleMeterRegistry();
        try (Corral corral = Corral.create()) {
            new CorralMetrics(corral).bindTo(registry);
            var module = corral.load(HelloHostTest.PLUGIN);
            var policy = PluginPolicy.builder()
                    .fuel(1_000)
                    .hostModule(new Host_CorralHost(new Host("Hello")))
                    .grant(PluginLogging.builder().build())
                    .build();
            try (var plugin = module.instantiate(policy)) {
                for (int i = 0; i < 3; i++) {
                    plugin.call("add", i, i);
                }
                var starved = module.instantiate(PluginPolicy.builder().fuel(1)
                        .hostModule(new Host_CorralHost(new Host("Hello"))).grant(PluginLogging.builder().build()).build());
                assertThrows(FuelExhaustedException.class, () -> starved.as(Greeter.class).greet("x"));
                assertEquals(2.0, registry.get("corral.instances.live").gauge().value());
                starved.close();
            }
            assertEquals(corral.stats().calls(), (long) registry.get("corral.calls").functionCounter().count());
            assertTrue(registry.get("corral.calls").functionCounter().count() >= 4);
            assertEquals(1.0, registry.get("corral.calls.failed").functionCounter().count());
            assertTrue(registry.get("corral.fuel").functionCounter().count() > 0);
            assertTrue(registry.get("corral.compilations").functionCounter().count() >= 1);
            assertTrue(registry.get("corral.compile.time").timeGauge().value(TimeUnit.MILLISECONDS) > 0);
            assertEquals(0.0, registry.get("corral.instances.live").gauge().value());
        }
    }
}
