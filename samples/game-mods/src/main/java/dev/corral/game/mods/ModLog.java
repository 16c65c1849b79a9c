package dev.corral.game.mods;

import dev.corral.FunctionSignature;
import dev.corral.ValueType;
import dev.corral.capabilities.WasiOutput;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One mod's log: lines from every channel a mod has (the game API's {@code log}, the
 * {@code corral_log} imports, JavaScript's {@code console}, WASI stdout/stderr) are held for the
 * tick and handed to the game when it ends, marked when the tick was rolled back. At most
 * {@value #MAX_LINES} lines per tick of at most {@value #MAX_CHARS} characters: a chatty mod
 * cannot flood the game's output.
 */
final class ModLog {
    static final int MAX_LINES = 20;
    static final int MAX_CHARS = 500;
    private static final String[] LEVELS = {"trace: ", "debug: ", "", "warn: ", "error: "};

    private final String mod;
    private final List<String> lines = new ArrayList<>();
    private int dropped;

    ModLog(String mod) {
        this.mod = mod;
    }

    void log(String message) {
        if (lines.size() >= MAX_LINES) {
            dropped++;
            return;
        }
        String m = message.length() > MAX_CHARS ? message.substring(0, MAX_CHARS) + "…" : message;
        lines.add(m.replace('\n', ' ').replace('\r', ' '));
    }

    void console(Level level, String message) {
        int l = level == Level.ERROR ? 4 : level == Level.WARNING ? 3 : level.getSeverity() <= Level.DEBUG.getSeverity() ? 1 : 2;
        log(LEVELS[l] + message);
    }

    /** Hands the held lines to the game. */
    void flush(ModEvents events, long tick, boolean rolledBack) {
        for (String line : lines) {
            events.log(tick, mod, line, rolledBack);
        }
        if (dropped > 0) {
            events.log(tick, mod, "(" + dropped + " more lines dropped: at most " + MAX_LINES + " per tick)", rolledBack);
        }
        lines.clear();
        dropped = 0;
    }

    /** The {@code corral_log} module (log, enabled) as the guest SDKs import it, into this log. */
    HostModuleDef corralLog() {
        var i32 = ValueType.I32;
        return HostModuleDef.of("corral_log", List.of(
                HostFunctionDef.of("corral_log", "log", FunctionSignature.of(List.of(i32, i32, i32), List.of()), (ctx, a) -> {
                    int len = (int) Math.max(0, Math.min(a[2], MAX_CHARS * 4));
                    byte[] b = ctx.memory().read((int) a[1], len);
                    log(LEVELS[(int) Math.max(0, Math.min(4, a[0]))] + new String(b, StandardCharsets.UTF_8));
                    return new long[0];
                }),
                HostFunctionDef.of("corral_log", "enabled", FunctionSignature.of(List.of(i32), List.of(i32)),
                        (ctx, a) -> new long[] {a[0] >= 2 ? 1 : 0})));
    }

    /** WASI stdout and stderr, a line at a time. */
    WasiOutput output() {
        return (plugin, stream) -> new WasiOutput.Sink() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public dev.corral.spi.Capability.Snapshot snapshot() {
                // a half line written in a tick that is rolled back must not reach the next tick
                byte[] pending = line.toByteArray();
                return () -> {
                    line.reset();
                    line.write(pending, 0, pending.length);
                };
            }

            @Override
            public void write(byte[] data, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    if (data[i] == '\n' || line.size() >= MAX_CHARS * 4) {
                        log((stream.equals("stderr") ? "stderr: " : "") + line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(data[i]);
                    }
                }
            }
        };
    }
}
