package dev.corral.capabilities.internal.wasi;

import dev.corral.capabilities.WasiOutput;
import dev.corral.capabilities.internal.Preopen;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * One open descriptor: stdio, a directory inside a preopen, or an open file. The mutable fields
 * are what a guest can change on a descriptor (rights only shrink, append, sync) and what a
 * snapshot records.
 */
abstract class Fd {
    static final int FDFLAG_APPEND = 1;
    static final int FDFLAG_DSYNC = 2;
    static final int FDFLAG_NONBLOCK = 4;
    static final int FDFLAG_RSYNC = 8;
    static final int FDFLAG_SYNC = 16;

    long rightsBase;
    long rightsInheriting;
    /** APPEND, DSYNC, SYNC as the guest set them (RSYNC is refused: Java cannot honour it). */
    int flags;

    /** @throws Failure ENOTCAPABLE when this descriptor lacks one of {@code rights} */
    final void require(long rights, String what) throws Failure {
        if ((rightsBase & rights) != rights) {
            throw Failure.fail(Errno.NOTCAPABLE);
        }
    }

    boolean append() {
        return (flags & FDFLAG_APPEND) != 0;
    }

    /** stdin (sink == null), stdout or stderr. */
    static final class Std extends Fd {
        final WasiOutput.Sink sink;

        Std(WasiOutput.Sink sink) {
            this.sink = sink;
            this.rightsBase = sink == null ? Rights.STDIN_RIGHTS : Rights.STDOUT_RIGHTS;
        }
    }

    /** A directory: a preopen's root (preopenName != null) or one the guest opened below it. */
    static final class Dir extends Fd {
        final Preopen pre;
        final List<String> comps;
        final String preopenName;

        Dir(Preopen pre, List<String> comps, String preopenName, long base, long inheriting) {
            this.pre = pre;
            this.comps = comps;
            this.preopenName = preopenName;
            this.rightsBase = base;
            this.rightsInheriting = inheriting;
        }
    }

    /** An open regular file, with the path it was opened at (re-resolved for by-path calls). */
    static final class File extends Fd {
        final Preopen pre;
        final List<String> comps;
        final FileChannel ch;
        final boolean readable;
        final boolean writable;
        /** A snapshot holds this descriptor: fd_close must not close the channel, a restore may bring it back. */
        boolean captured;

        File(Preopen pre, List<String> comps, FileChannel ch, boolean readable, boolean writable) {
            this.pre = pre;
            this.comps = comps;
            this.ch = ch;
            this.readable = readable;
            this.writable = writable;
        }
    }
}
