package dev.corral.proxywasm.internal;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The shared key-value store and shared queues of one filter, seen by all its VMs (Envoy shares
 * them per VM id). Both are bounded: a filter cannot make the host hold more than
 * {@code maxBytes} of shared data or more than {@code maxQueueItems} queued items per queue.
 */
public final class SharedStore {
    /** A value and its compare-and-swap version (never 0, so a CAS of 0 means "unconditional"). */
    record Entry(byte[] value, int cas) {}

    private final Map<String, Entry> data = new ConcurrentHashMap<>();
    private final AtomicInteger casCounter = new AtomicInteger();
    private final long maxBytes;
    private long bytes;

    private final Map<String, Integer> queueIds = new ConcurrentHashMap<>();
    private final Map<Integer, ArrayDeque<byte[]>> queues = new ConcurrentHashMap<>();
    private final AtomicInteger queueCounter = new AtomicInteger();
    private final int maxQueueItems;
    private volatile IntConsumer queueListener = id -> {};

    public SharedStore(long maxBytes, int maxQueueItems) {
        this.maxBytes = maxBytes;
        this.maxQueueItems = maxQueueItems;
    }

    Entry get(String key) {
        return data.get(key);
    }

    /** One of Abi.OK, CAS_MISMATCH, or INTERNAL_FAILURE when the store is full. */
    synchronized int set(String key, byte[] value, int cas) {
        Entry old = data.get(key);
        if (old != null && cas != 0 && cas != old.cas()) {
            return Abi.CAS_MISMATCH;
        }
        long delta = value.length + (old == null ? key.length() : -old.value().length);
        if (bytes + delta > maxBytes) {
            return Abi.INTERNAL_FAILURE;
        }
        int next = casCounter.incrementAndGet();
        if (next == 0) {
            next = casCounter.incrementAndGet();
        }
        data.put(key, new Entry(value, next));
        bytes += delta;
        return Abi.OK;
    }

    /** A snapshot of the store for the host: key to value. */
    public Map<String, byte[]> snapshot() {
        Map<String, byte[]> out = new java.util.TreeMap<>();
        data.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }

    int registerQueue(String name) {
        return queueIds.computeIfAbsent(name, n -> {
            int id = queueCounter.incrementAndGet();
            queues.put(id, new ArrayDeque<>());
            return id;
        });
    }

    Integer resolveQueue(String name) {
        return queueIds.get(name);
    }

    /** One of Abi.OK, NOT_FOUND, or INTERNAL_FAILURE when the queue is full. */
    int enqueue(int id, byte[] value) {
        ArrayDeque<byte[]> q = queues.get(id);
        if (q == null) {
            return Abi.NOT_FOUND;
        }
        synchronized (q) {
            if (q.size() >= maxQueueItems) {
                return Abi.INTERNAL_FAILURE;
            }
            q.addLast(value);
        }
        queueListener.accept(id);
        return Abi.OK;
    }

    /** The item, or null when the queue is empty; NOT_FOUND is signalled by {@link #hasQueue}. */
    byte[] dequeue(int id) {
        ArrayDeque<byte[]> q = queues.get(id);
        if (q == null) {
            return null;
        }
        synchronized (q) {
            return q.pollFirst();
        }
    }

    boolean hasQueue(int id) {
        return queues.containsKey(id);
    }

    void onEnqueue(IntConsumer listener) {
        this.queueListener = listener;
    }
}
