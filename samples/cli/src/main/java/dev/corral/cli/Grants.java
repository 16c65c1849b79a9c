package dev.corral.cli;

import dev.corral.capabilities.Access;
import dev.corral.capabilities.Wasi;
import dev.corral.capabilities.WasiClock;
import dev.corral.capabilities.WasiRandom;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The run command's grant flags, turned into a WASI capability. Nothing is granted unless asked:
 * without {@code --dir} no file is reachable, without {@code --env} no variable is visible.
 */
final class Grants {
    private Grants() {}

    static Wasi.Builder wasi(List<String> dirs, List<String> envs, List<String> args, String clock, String random,
            boolean strict) {
        var b = Wasi.builder().strict(strict).args(args);
        for (String d : dirs) {
            directory(b, d);
        }
        for (String e : envs) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--env '" + e + "': expected NAME=VALUE");
            }
            b.env(e.substring(0, eq), e.substring(eq + 1));
        }
        if (clock != null) {
            b.clock(clock(clock));
        }
        if (random != null) {
            b.random(random(random));
        }
        return b;
    }

    /** {@code HOST_DIR[::GUEST_PATH][:ro|:rw]}: read-only unless {@code :rw}; the guest path defaults to HOST_DIR. */
    static void directory(Wasi.Builder b, String spec) {
        String s = spec;
        Access access = Access.READ_ONLY;
        if (s.endsWith(":rw")) {
            access = Access.READ_WRITE;
            s = s.substring(0, s.length() - 3);
        } else if (s.endsWith(":ro")) {
            s = s.substring(0, s.length() - 3);
        }
        int sep = s.indexOf("::");
        String host = sep < 0 ? s : s.substring(0, sep);
        String guest = sep < 0 ? host : s.substring(sep + 2);
        if (host.isEmpty() || guest.isEmpty()) {
            throw new UsageException("--dir '" + spec + "': expected HOST_DIR[::GUEST_PATH][:ro|:rw]");
        }
        try {
            b.directory(Path.of(host), guest, access);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new UsageException("--dir '" + spec + "': " + (e.getCause() instanceof java.nio.file.NoSuchFileException
                    ? "no such directory " + host : e.getMessage()));
        }
    }

    static WasiClock clock(String spec) {
        if (spec.equals("system")) {
            return WasiClock.system();
        }
        if (spec.startsWith("fixed:")) {
            try {
                return WasiClock.fixed(Instant.parse(spec.substring(6)));
            } catch (DateTimeParseException e) {
                throw new UsageException("--clock '" + spec + "': expected an ISO instant such as fixed:2020-01-01T00:00:00Z");
            }
        }
        throw new UsageException("--clock '" + spec + "': expected system or fixed:ISO_INSTANT");
    }

    static WasiRandom random(String spec) {
        if (spec.equals("secure")) {
            return WasiRandom.secure();
        }
        if (spec.startsWith("seed:")) {
            try {
                return WasiRandom.seeded(Long.parseLong(spec.substring(5)));
            } catch (NumberFormatException e) {
                throw new UsageException("--random '" + spec + "': the seed must be a 64-bit integer");
            }
        }
        throw new UsageException("--random '" + spec + "': expected secure or seed:N");
    }
}
