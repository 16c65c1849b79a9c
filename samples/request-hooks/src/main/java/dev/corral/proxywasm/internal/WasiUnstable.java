package dev.corral.proxywasm.internal;

import dev.corral.FunctionSignature;
import dev.corral.GuestMemoryException;
import dev.corral.PluginExitException;
import dev.corral.ValueType;
import dev.corral.spi.HostContext;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few {@code wasi_unstable} functions older proxy-wasm SDKs import (AssemblyScript's
 * proxy-runtime aborts through {@code wasi_unstable.proc_exit}); Envoy links the whole module under
 * both names. Same deny-by-default answers as the filter's {@code wasi_snapshot_preview1}: no args,
 * no environment, output to the filter's log, the filter's clock, no randomness (ENOTCAPABLE).
 */
final class WasiUnstable {
    static final String MODULE = "wasi_unstable";
    private static final int SUCCESS = 0;
    private static final int BADF = 8;
    private static final int FAULT = 21;
    private static final int INVAL = 28;
    private static final int NOTCAPABLE = 76;

    private WasiUnstable() {}

    static HostModuleDef module(FilterHost host) {
        List<HostFunctionDef> f = new ArrayList<>();
        f.add(HostFunctionDef.of(MODULE, "proc_exit", FunctionSignature.of(List.of(ValueType.I32), List.of()), (c, a) -> {
            throw new PluginExitException((int) a[0]);
        }));
        f.add(errno("fd_write", 4, (c, a) -> {
            int fd = (int) a[0];
            if (fd != 1 && fd != 2) {
                return BADF;
            }
            long total = 0;
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < (int) a[2] && i < 1024; i++) {
                int base = (int) a[1] + i * 8;
                int ptr = c.memory().readInt(base);
                int len = c.memory().readInt(base + 4);
                text.append(new String(c.memory().read(ptr, Math.min(len, 16 * 1024)), StandardCharsets.UTF_8));
                total += Integer.toUnsignedLong(len);
            }
            String msg = text.toString().strip();
            if (!msg.isEmpty()) {
                host.log(fd == 1 ? Level.INFO : Level.ERROR, msg);
            }
            c.memory().writeInt((int) a[3], (int) total);
            return SUCCESS;
        }));
        f.add(HostFunctionDef.of(MODULE, "clock_time_get", FunctionSignature.of(List.of(ValueType.I32, ValueType.I64, ValueType.I32),
                List.of(ValueType.I32)), (c, a) -> new long[] {guard(() -> {
                    if ((int) a[0] < 0 || (int) a[0] > 3) {
                        return INVAL;
                    }
                    c.memory().writeLong((int) a[2], (int) a[0] == 0 ? host.clock.realtimeNanos() : host.clock.monotonicNanos());
                    return SUCCESS;
                })}));
        f.add(errno("random_get", 2, (c, a) -> NOTCAPABLE));
        f.add(errno("args_sizes_get", 2, (c, a) -> zeroes(c, a)));
        f.add(errno("environ_sizes_get", 2, (c, a) -> zeroes(c, a)));
        f.add(errno("args_get", 2, (c, a) -> SUCCESS));
        f.add(errno("environ_get", 2, (c, a) -> SUCCESS));
        f.add(errno("sched_yield", 0, (c, a) -> SUCCESS));
        f.add(errno("fd_close", 1, (c, a) -> BADF));
        f.add(errno("fd_fdstat_get", 2, (c, a) -> BADF));
        f.add(errno("fd_prestat_get", 2, (c, a) -> BADF));
        f.add(errno("fd_read", 4, (c, a) -> BADF));
        f.add(HostFunctionDef.of(MODULE, "fd_seek", FunctionSignature.of(List.of(ValueType.I32, ValueType.I64, ValueType.I32,
                ValueType.I32), List.of(ValueType.I32)), (c, a) -> new long[] {BADF}));
        return HostModuleDef.of(MODULE, f);
    }

    private interface Errno {
        int apply(HostContext c, long[] a);
    }

    private static int zeroes(HostContext c, long[] a) {
        c.memory().writeInt((int) a[0], 0);
        c.memory().writeInt((int) a[1], 0);
        return SUCCESS;
    }

    private static int guard(java.util.function.IntSupplier s) {
        try {
            return s.getAsInt();
        } catch (GuestMemoryException e) {
            return FAULT;
        }
    }

    private static HostFunctionDef errno(String name, int params, Errno e) {
        List<ValueType> p = new ArrayList<>();
        for (int i = 0; i < params; i++) {
            p.add(ValueType.I32);
        }
        return HostFunctionDef.of(MODULE, name, FunctionSignature.of(p, List.of(ValueType.I32)),
                (c, a) -> new long[] {guard(() -> e.apply(c, a))});
    }
}
