package dev.corral.samples.hello;

import dev.corral.Corral;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;

/** Corral's engine counters as Micrometer meters. */
public final class CorralMetrics implements MeterBinder {
    private final Corral corral;

    public CorralMetrics(Corral corral) {
        this.corral = corral;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("corral.calls", corral, c -> c.stats().calls()).register(registry);
        FunctionCounter.builder("corral.calls.failed", corral, c -> c.stats().failedCalls()).register(registry);
        FunctionCounter.builder("corral.fuel", corral, c -> c.stats().fuelConsumed()).register(registry);
        FunctionCounter.builder("corral.compilations", corral, c -> c.stats().compilations()).register(registry);
        FunctionCounter.builder("corral.compile.cache.hits", corral, c -> c.stats().cacheHits()).register(registry);
        TimeGauge.builder("corral.compile.time", corral, TimeUnit.NANOSECONDS, c -> c.stats().compileTime().toNanos())
                .register(registry);
        Gauge.builder("corral.instances.live", corral, c -> c.stats().liveInstances()).register(registry);
    }
}
