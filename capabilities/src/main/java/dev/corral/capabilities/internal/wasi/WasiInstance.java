package dev.corral.capabilities.internal.wasi;

import dev.corral.capabilities.WasiClock;
import dev.corral.capabilities.WasiOutput;
import dev.corral.capabilities.WasiRandom;
import dev.corral.capabilities.internal.Preopen;
import dev.corral.capabilities.internal.SeededStream;
import dev.corral.spi.Capability;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One plugin instance's WASI preview1: its grants, descriptor table and streams, and their
 * snapshots. Confined to the plugin's thread like the plugin itself. The functions live in
 * {@link Functions} (the table), {@link Io} (reads and writes), {@link FileOps} (descriptors),
 * {@link PathOps} (paths), {@link ClockOps} (clocks and poll) and {@link ProcOps} (the rest).
 */
public final class WasiInstance {
    public static final String MODULE = "wasi_snapshot_preview1";

    final String pluginName;
    final Quota quota;
    final WasiClock clock;
    final boolean clockGranted;
    /** Whether file timestamps may be shown as they are: only when the plugin was granted the host's own clock. */
    final boolean hostTime;
    final WasiRandom.Stream random;
    final byte[][] args;
    final byte[][] env;
    final WasiOutput.Sink stdout;
    final WasiOutput.Sink stderr;
    final Consumer<String> onDenied;
    final Descriptors fds = new Descriptors();
    final boolean hasPreopens;
    private final HostModuleDef module;
    private boolean closed;

    public WasiInstance(String pluginName, List<Preopen> preopens, long writeQuota, WasiClock clock,
            WasiRandom.Stream random, Map<String, String> env, List<String> args, WasiOutput.Sink stdout,
            WasiOutput.Sink stderr, Consumer<String> onDenied) {
        this.pluginName = pluginName;
        this.quota = new Quota(writeQuota);
        // no clock granted: time stands at the epoch (both clocks 0) and sleeps return at once
        this.clock = clock != null ? clock : WasiClock.fixed(Instant.EPOCH);
        this.clockGranted = clock != null;
        this.hostTime = clock == WasiClock.system();
        this.random = random;
        this.stdout = stdout;
        this.stderr = stderr;
        this.onDenied = onDenied;
        List<String> argv = new ArrayList<>();
        argv.add(pluginName);
        argv.addAll(args);
        this.args = utf8(argv);
        List<String> vars = new ArrayList<>();
        env.forEach((k, v) -> vars.add(k + "=" + v));
        this.env = utf8(vars);
        fds.put(0, new Fd.Std(null));
        fds.put(1, new Fd.Std(stdout));
        fds.put(2, new Fd.Std(stderr));
        this.hasPreopens = !preopens.isEmpty();
        int fd = 3;
        for (Preopen p : preopens) {
            // a read-only preopen still advertises every right (wasi-libc asks for what the
            // directory advertises); its mode is what is enforced, so a write gets a clear EROFS
            fds.put(fd++, new Fd.Dir(p, List.of(), p.guestPath(), Rights.DIR_RIGHTS,
                    Rights.DIR_RIGHTS | Rights.FILE_RIGHTS));
        }
        this.module = HostModuleDef.of(MODULE, Functions.table(this));
    }

    public HostModuleDef hostModule() {
        return module;
    }

    /** Closes every open file and flushes the output streams; idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        fds.closeAll();
        stdout.close();
        stderr.close();
    }

    /**
     * What a snapshot captures, and so what a restore puts back:
     * <ul>
     *   <li>the descriptor table: descriptors opened since are closed; those open then come back
     *       under their numbers (even if closed or renumbered since), with their rights, flags
     *       and file positions; preopens as granted;
     *   <li>a seeded random stream's position;
     *   <li>each output's pending partial line (what {@code WasiOutput.log} has not emitted yet).
     * </ul>
     * Not captured, on purpose: file contents and the directory tree (the host's), output already
     * delivered (captured, forwarded or logged), the clocks (host time: a virtual clock is the
     * host's and moves for all its instances; see the README), a secure random stream (repeating
     * its bytes would repeat secrets), the write quota used, the log rate windows and the denial
     * counters (bounds and statistics over the instance's life: restoring them would let a
     * plugin reset its own limits).
     */
    public Capability.Snapshot snapshot() {
        Descriptors.Snapshot table;
        try {
            table = fds.snapshot();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot snapshot the WASI descriptors of plugin '" + pluginName + "'", e);
        }
        long seed = random instanceof SeededStream ? ((SeededStream) random).state() : 0;
        Capability.Snapshot out = stdout.snapshot();
        Capability.Snapshot err = stderr.snapshot();
        return () -> {
            fds.restore(table);
            if (random instanceof SeededStream) {
                ((SeededStream) random).state(seed);
            }
            out.restore();
            err.restore();
        };
    }

    private static byte[][] utf8(List<String> strings) {
        byte[][] out = new byte[strings.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
