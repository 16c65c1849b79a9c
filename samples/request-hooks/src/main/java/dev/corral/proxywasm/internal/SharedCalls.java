package dev.corral.proxywasm.internal;

import static dev.corral.proxywasm.internal.HostFunctions.fn;

import dev.corral.ValueType;
import dev.corral.spi.HostFunctionDef;
import java.util.List;

/**
 * Shared data (with compare-and-swap), shared queues and metrics, all shared by the VMs of one
 * filter: {@code proxy_get/set_shared_data}, {@code proxy_register/resolve/enqueue/dequeue_shared_queue},
 * {@code proxy_define/increment/record/get_metric}.
 */
final class SharedCalls {
    static final int MAX_KEY = 1024;

    private SharedCalls() {}

    static void add(List<HostFunctionDef> out, VmState vm) {
        FilterHost host = vm.host;
        SharedStore store = host.shared;
        int maxValue = Math.max(host.maxBodyBytes, 64 * 1024);
        out.add(fn("proxy_get_shared_data", 5, (c, a) -> {
            String key = GuestIo.readUtf8(c, a[0], Integer.toUnsignedLong((int) a[1]), MAX_KEY);
            SharedStore.Entry e = store.get(key);
            if (e == null) {
                return Abi.NOT_FOUND;
            }
            GuestIo.give(c, vm, e.value(), a[2], a[3]);
            GuestIo.writeInt(c, a[4], e.cas());
            return Abi.OK;
        }));
        out.add(fn("proxy_set_shared_data", 5, (c, a) -> {
            String key = GuestIo.readUtf8(c, a[0], Integer.toUnsignedLong((int) a[1]), MAX_KEY);
            byte[] value = GuestIo.read(c, a[2], Integer.toUnsignedLong((int) a[3]), maxValue);
            return store.set(key, value, (int) a[4]);
        }));
        out.add(fn("proxy_register_shared_queue", 3, (c, a) -> {
            String name = GuestIo.readUtf8(c, a[0], Integer.toUnsignedLong((int) a[1]), MAX_KEY);
            GuestIo.writeInt(c, a[2], store.registerQueue(name));
            return Abi.OK;
        }));
        out.add(fn("proxy_resolve_shared_queue", 5, (c, a) -> {
            String vmId = GuestIo.readUtf8(c, a[0], Integer.toUnsignedLong((int) a[1]), MAX_KEY);
            String name = GuestIo.readUtf8(c, a[2], Integer.toUnsignedLong((int) a[3]), MAX_KEY);
            Integer id = (vmId.isEmpty() || vmId.equals(host.vmId)) ? store.resolveQueue(name) : null;
            if (id == null) {
                return Abi.NOT_FOUND;
            }
            GuestIo.writeInt(c, a[4], id);
            return Abi.OK;
        }));
        out.add(fn("proxy_enqueue_shared_queue", 3, (c, a) -> {
            byte[] value = GuestIo.read(c, a[1], Integer.toUnsignedLong((int) a[2]), maxValue);
            return store.enqueue((int) a[0], value);
        }));
        out.add(fn("proxy_dequeue_shared_queue", 3, (c, a) -> {
            int id = (int) a[0];
            if (!store.hasQueue(id)) {
                return Abi.NOT_FOUND;
            }
            byte[] item = store.dequeue(id);
            if (item == null) {
                return Abi.EMPTY;
            }
            GuestIo.give(c, vm, item, a[1], a[2]);
            return Abi.OK;
        }));
        Metrics metrics = host.metrics;
        out.add(fn("proxy_define_metric", 4, (c, a) -> {
            int type = (int) a[0];
            if (type < Abi.METRIC_COUNTER || type > Abi.METRIC_HISTOGRAM) {
                return Abi.BAD_ARGUMENT;
            }
            String name = GuestIo.readUtf8(c, a[1], Integer.toUnsignedLong((int) a[2]), MAX_KEY);
            int id = metrics.define(type, name);
            if (id < 0) {
                return Abi.INTERNAL_FAILURE;
            }
            GuestIo.writeInt(c, a[3], id);
            return Abi.OK;
        }));
        out.add(fn("proxy_increment_metric", List.of(ValueType.I32, ValueType.I64), (c, a) -> {
            Metrics.Metric m = metrics.get((int) a[0]);
            if (m == null) {
                return Abi.NOT_FOUND;
            }
            if (m.type == Abi.METRIC_HISTOGRAM || (m.type == Abi.METRIC_COUNTER && a[1] < 0)) {
                return Abi.BAD_ARGUMENT;
            }
            m.value.addAndGet(a[1]);
            return Abi.OK;
        }));
        out.add(fn("proxy_record_metric", List.of(ValueType.I32, ValueType.I64), (c, a) -> {
            Metrics.Metric m = metrics.get((int) a[0]);
            if (m == null) {
                return Abi.NOT_FOUND;
            }
            if (m.type == Abi.METRIC_HISTOGRAM) {
                m.value.incrementAndGet();
                m.sum.addAndGet(a[1]);
            } else {
                m.value.set(a[1]);
            }
            return Abi.OK;
        }));
        out.add(fn("proxy_get_metric", 2, (c, a) -> {
            Metrics.Metric m = metrics.get((int) a[0]);
            if (m == null) {
                return Abi.NOT_FOUND;
            }
            GuestIo.writeLong(c, a[1], m.value.get());
            return Abi.OK;
        }));
    }
}
