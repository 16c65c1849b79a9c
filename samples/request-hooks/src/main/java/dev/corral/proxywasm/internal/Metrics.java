package dev.corral.proxywasm.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics a filter defines ({@code proxy_define_metric}): counters, gauges and histograms,
 * shared by all its VMs. A histogram keeps the count and sum of its samples; reading it gives the
 * count. At most {@code max} metrics per filter.
 */
public final class Metrics {
    static final class Metric {
        final String name;
        final int type;
        final AtomicLong value = new AtomicLong();
        final AtomicLong sum = new AtomicLong();

        Metric(String name, int type) {
            this.name = name;
            this.type = type;
        }
    }

    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, Metric> byId = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final int max;

    public Metrics(int max) {
        this.max = max;
    }

    /** The metric's id (the same for the same name and type), or -1 when the table is full. */
    synchronized int define(int type, String name) {
        String key = type + ":" + name;
        Integer id = ids.get(key);
        if (id != null) {
            return id;
        }
        if (byId.size() >= max) {
            return -1;
        }
        int next = counter.incrementAndGet();
        ids.put(key, next);
        byId.put(next, new Metric(name, type));
        return next;
    }

    Metric get(int id) {
        return byId.get(id);
    }

    /** Name to value (a histogram's value is its sample count; its sum is under {@code name.sum}). */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        for (Metric m : byId.values()) {
            out.put(m.name, m.value.get());
            if (m.type == Abi.METRIC_HISTOGRAM) {
                out.put(m.name + ".sum", m.sum.get());
            }
        }
        return out;
    }
}
