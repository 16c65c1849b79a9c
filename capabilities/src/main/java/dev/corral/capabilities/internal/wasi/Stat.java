package dev.corral.capabilities.internal.wasi;

import dev.corral.spi.GuestMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * File metadata as the guest sees it, and the times it may set. Timestamps are the host's own
 * clock readings (the OS stamps every write, create and read), so they are shown only to a plugin
 * granted {@code WasiClock.system()}; to every other plugin (no clock, a fixed or a virtual one)
 * they read 0: no host time leaks through a stat, and runs under a fixed clock stay reproducible.
 */
final class Stat {
    static final int T_UNKNOWN = 0;
    static final int T_CHAR = 2;
    static final int T_DIR = 3;
    static final int T_FILE = 4;
    static final int T_SYMLINK = 7;

    private Stat() {}

    static int type(BasicFileAttributes at) {
        return at.isDirectory() ? T_DIR : at.isRegularFile() ? T_FILE : at.isSymbolicLink() ? T_SYMLINK : T_UNKNOWN;
    }

    /** Writes a 64-byte filestat of {@code path} (not followed) at {@code p}; {@code size} overrides when >= 0. */
    static void write(GuestMemory m, int p, Path path, long size, boolean hostTime) throws IOException {
        BasicFileAttributes at = PathResolver.lstat(path);
        m.writeLong(p, unixAttr(path, "unix:dev"));
        m.writeLong(p + 8, unixAttr(path, "unix:ino"));
        m.writeLong(p + 16, 0);
        m.writeByte(p + 16, (byte) type(at));
        m.writeLong(p + 24, Math.max(1, unixAttr(path, "unix:nlink")));
        m.writeLong(p + 32, size >= 0 ? size : at.size());
        m.writeLong(p + 40, hostTime ? at.lastAccessTime().to(TimeUnit.NANOSECONDS) : 0);
        m.writeLong(p + 48, hostTime ? at.lastModifiedTime().to(TimeUnit.NANOSECONDS) : 0);
        m.writeLong(p + 56, hostTime ? ctime(path, at) : 0);
    }

    /** The status-change time where the file system has one; else the creation time. */
    private static long ctime(Path path, BasicFileAttributes at) {
        try {
            Object v = Files.getAttribute(path, "unix:ctime", PathResolver.NOFOLLOW);
            if (v instanceof FileTime) {
                return ((FileTime) v).to(TimeUnit.NANOSECONDS);
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not a Unix file system
        }
        return at.creationTime().to(TimeUnit.NANOSECONDS);
    }

    static long unixAttr(Path p, String name) {
        try {
            Object v = Files.getAttribute(p, name, PathResolver.NOFOLLOW);
            return v instanceof Number ? ((Number) v).longValue() : 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0; // not a Unix file system: the guest sees 0, as WASI allows
        }
    }

    /**
     * fd/path_filestat_set_times. "Now" is the plugin's clock, never the host's. On JDK 17 a
     * symlink's own times are set at microsecond precision (the JDK calls {@code lutimes}); see
     * the README.
     */
    static void setTimes(Path p, long atim, long mtim, int flags, long now) throws Failure, IOException {
        if ((flags & ~0xF) != 0 || ((flags & 1) != 0 && (flags & 2) != 0) || ((flags & 4) != 0 && (flags & 8) != 0)) {
            throw Failure.fail(Errno.INVAL);
        }
        FileTime a = (flags & 1) != 0 ? FileTime.from(atim, TimeUnit.NANOSECONDS)
                : (flags & 2) != 0 ? FileTime.from(now, TimeUnit.NANOSECONDS) : null;
        FileTime mt = (flags & 4) != 0 ? FileTime.from(mtim, TimeUnit.NANOSECONDS)
                : (flags & 8) != 0 ? FileTime.from(now, TimeUnit.NANOSECONDS) : null;
        Files.getFileAttributeView(p, BasicFileAttributeView.class, PathResolver.NOFOLLOW).setTimes(mt, a, null);
    }
}
