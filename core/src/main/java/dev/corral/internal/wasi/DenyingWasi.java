package dev.corral.internal.wasi;

import dev.corral.PluginExitException;
import dev.corral.internal.events.Events;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import dev.corral.spi.HostFunctionDef;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What WASI imports link to when no granted capability provides {@code wasi_snapshot_preview1}:
 * every preview1 function exists, so WASI-built modules load, and nothing reaches the host.
 * The answers match corral-capabilities' WASI with no grants (see its README for the errno table):
 * argv is the plugin's name, the environment is empty, there are no preopened directories,
 * stdin is at end of file, stdout/stderr writes succeed and are discarded, both clocks read 0,
 * {@code random_get} fails with ENOTCAPABLE, {@code proc_exit} ends the call with
 * {@link PluginExitException}, fd and path calls fail with EBADF (no such descriptor), and the
 * rest ({@code proc_raise}) fail with ENOTCAPABLE, sockets with ENOTSOCK (stdio) or EBADF;
 * clock sleeps return at once.
 *
 * <p>The deprecated {@code PluginPolicy.stdout/stderr/arguments} settings are honoured here so
 * callers that still use them keep working while they migrate to the capabilities module.
 */
public final class DenyingWasi {
    private static final System.Logger LOG = System.getLogger("dev.corral.wasi");
    static final int SUCCESS = 0;
    static final int EBADF = 8;
    static final int EINVAL = 28;
    static final int EIO = 29;
    static final int ENOTSOCK = 57;
    static final int ENOTCAPABLE = 76;
    /** The most one fd_write moves (a short count beyond), as corral-capabilities' WASI does. */
    static final int MAX_BYTES_PER_CALL = 4 << 20;

    private final byte[][] args;
    private final OutputStream stdout;
    private final OutputStream stderr;

    private DenyingWasi(String name, List<String> arguments, OutputStream stdout, OutputStream stderr) {
        List<String> all = new ArrayList<>();
        all.add(name);
        all.addAll(arguments);
        this.args = new byte[all.size()][];
        for (int i = 0; i < all.size(); i++) {
            args[i] = all.get(i).getBytes(StandardCharsets.UTF_8);
        }
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The function named {@code name}, or null when preview1 has no such function. */
    public static HostFunctionDef function(String name, String pluginName, List<String> arguments,
            OutputStream stdout, OutputStream stderr) {
        var sig = WasiSignatures.all().get(name);
        if (sig == null) {
            return null;
        }
        var w = new DenyingWasi(pluginName, arguments, stdout, stderr);
        return HostFunctionDef.of(WasiSignatures.MODULE, name, sig, w.implementation(name));
    }

    private HostFunctionDef.Implementation implementation(String name) {
        switch (name) {
            case "args_sizes_get":
                return (ctx, a) -> {
                    long size = 0;
                    for (byte[] s : args) {
                        size += s.length + 1;
                    }
                    ctx.memory().writeInt((int) a[0], args.length);
                    ctx.memory().writeInt((int) a[1], (int) size);
                    return ok();
                };
            case "args_get":
                return (ctx, a) -> {
                    GuestMemory m = ctx.memory();
                    int ptrs = (int) a[0];
                    int buf = (int) a[1];
                    for (byte[] s : args) {
                        m.writeInt(ptrs, buf);
                        m.write(buf, s);
                        m.writeByte(buf + s.length, (byte) 0);
                        ptrs += 4;
                        buf += s.length + 1;
                    }
                    return ok();
                };
            case "environ_sizes_get":
                return (ctx, a) -> {
                    ctx.memory().writeInt((int) a[0], 0);
                    ctx.memory().writeInt((int) a[1], 0);
                    return ok();
                };
            case "environ_get":
            case "sched_yield":
                return (ctx, a) -> ok();
            case "clock_time_get":
                return (ctx, a) -> {
                    denied(ctx, name, "no clock granted: reads 0");
                    ctx.memory().writeLong((int) a[2], 0L);
                    return ok();
                };
            case "clock_res_get":
                return (ctx, a) -> {
                    ctx.memory().writeLong((int) a[1], 1L);
                    return ok();
                };
            case "proc_exit":
                return (ctx, a) -> {
                    throw new PluginExitException((int) a[0]);
                };
            case "fd_write":
                return this::fdWrite;
            case "fd_read":
                return (ctx, a) -> {
                    if (a[0] != 0) {
                        return errno(EBADF);
                    }
                    ctx.memory().writeInt((int) a[3], 0); // stdin: end of file
                    return ok();
                };
            case "poll_oneoff":
                return DenyingWasi::pollOneoff;
            case "fd_prestat_get":
                // EBADF ends wasi-libc's preopen scan; any other errno would abort the program
                return (ctx, a) -> errno(EBADF);
            default:
                if (name.startsWith("sock_")) {
                    // stdio are the only descriptors, and none is a socket
                    return (ctx, a) -> errno(a[0] >= 0 && a[0] <= 2 ? ENOTSOCK : EBADF);
                }
                if (name.startsWith("fd_")) {
                    return (ctx, a) -> errno(EBADF);
                }
                if (name.startsWith("path_")) {
                    // no directory is preopened, so the directory fd cannot be valid
                    return (ctx, a) -> {
                        denied(ctx, name, "no directory granted");
                        return errno(EBADF);
                    };
                }
                return (ctx, a) -> {
                    denied(ctx, name, "not granted");
                    return errno(ENOTCAPABLE);
                };
        }
    }

    /**
     * Writes to the legacy stdout/stderr streams, or discards. Bounded like corral-capabilities'
     * WASI: at most {@link #MAX_BYTES_PER_CALL} per call (the guest sees a short count and writes
     * the rest next time), the deadline checked between iovecs, and discarded bytes never copied.
     */
    private long[] fdWrite(HostContext ctx, long[] a) {
        int fd = (int) a[0];
        if (fd != 1 && fd != 2) {
            return errno(EBADF);
        }
        OutputStream out = fd == 1 ? stdout : stderr;
        GuestMemory m = ctx.memory();
        int iovs = (int) a[1];
        int n = (int) a[2];
        long total = 0;
        for (int i = 0; i < n && total < MAX_BYTES_PER_CALL; i++) {
            ctx.checkDeadline();
            int ptr = m.readInt(iovs + i * 8);
            long len = Math.min(Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4)), MAX_BYTES_PER_CALL - total);
            if (len != 0 && Integer.toUnsignedLong(ptr) + len > m.size()) {
                m.read(ptr, (int) len); // a range outside memory is the guest's error, written or not
            }
            if (out != null && len != 0) {
                try {
                    out.write(m.read(ptr, (int) len));
                } catch (IOException e) {
                    return errno(EIO);
                }
            }
            total += len;
        }
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                return errno(EIO);
            }
        }
        m.writeInt((int) a[3], (int) total);
        return ok();
    }

    /**
     * Time stands at 0, so a clock subscription fires at once (Go's runtime panics when a sleep
     * fails); descriptor subscriptions get EBADF events.
     */
    private static long[] pollOneoff(HostContext ctx, long[] a) {
        GuestMemory m = ctx.memory();
        int in = (int) a[0];
        int out = (int) a[1];
        long n = Integer.toUnsignedLong((int) a[2]);
        if (n == 0 || n > 1024) {
            return errno(EINVAL);
        }
        denied(ctx, "poll_oneoff", "no clock granted: returns at once");
        for (int i = 0; i < n; i++) {
            int s = in + i * 48;
            int e = out + i * 32;
            int tag = m.readByte(s + 8);
            m.writeLong(e, m.readLong(s));
            m.writeInt(e + 8, (tag == 0 ? SUCCESS : EBADF) | (tag << 16));
            m.writeLong(e + 16, 0);
            m.writeLong(e + 24, 0);
        }
        m.writeInt((int) a[3], (int) n);
        return ok();
    }

    private static void denied(HostContext ctx, String fn, String why) {
        Events.denied(ctx.pluginName(), "wasi (none granted)", fn, why);
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "plugin ''{0}'': WASI {1} denied ({2})", ctx.pluginName(), fn, why);
        }
    }

    private static long[] ok() {
        return new long[] {SUCCESS};
    }

    private static long[] errno(int e) {
        return new long[] {e};
    }
}
