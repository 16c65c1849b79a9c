package dev.corral.capabilities.internal.wasi;

import dev.corral.capabilities.internal.Preopen;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

/** The fd_* calls on descriptors themselves: close, renumber, fdstat, prestat, seek, sync, size, stat, readdir. */
final class FileOps {
    private final WasiInstance w;

    FileOps(WasiInstance w) {
        this.w = w;
    }

    static void readOnlyCheck(Preopen pre, String what) throws Failure {
        if (pre.readOnly()) {
            throw Failure.deny(Errno.ROFS, what + " in read-only directory '" + pre.guestPath() + "'");
        }
    }

    /** FDFLAGS_SYNC / DSYNC honoured: after a write or a size change, the file reaches the disk. */
    static void syncIfAsked(Fd.File f) throws IOException {
        if ((f.flags & Fd.FDFLAG_SYNC) != 0) {
            f.ch.force(true);
        } else if ((f.flags & Fd.FDFLAG_DSYNC) != 0) {
            f.ch.force(false);
        }
    }

    /**
     * The fdflags a descriptor may carry: APPEND, DSYNC and SYNC are honoured; NONBLOCK is
     * accepted (nothing here blocks); RSYNC is refused with ENOTSUP because Java cannot make
     * reads wait for other writers' data to be synchronized.
     */
    static int checkFlags(int fdflags) throws Failure {
        if ((fdflags & ~0x1F) != 0) {
            throw Failure.fail(Errno.INVAL);
        }
        if ((fdflags & Fd.FDFLAG_RSYNC) != 0) {
            throw Failure.fail(Errno.NOTSUP);
        }
        return fdflags & (Fd.FDFLAG_APPEND | Fd.FDFLAG_DSYNC | Fd.FDFLAG_SYNC | Fd.FDFLAG_NONBLOCK);
    }

    int close(HostContext c, long[] a) throws Failure, IOException {
        w.fds.get(a[0]);
        w.fds.close((int) a[0]);
        return Errno.SUCCESS;
    }

    int renumber(HostContext c, long[] a) throws Failure, IOException {
        w.fds.get(a[0]);
        w.fds.get(a[1]);
        w.fds.renumber((int) a[0], (int) a[1]);
        return Errno.SUCCESS;
    }

    int fdstatGet(HostContext c, long[] a) throws Failure {
        Fd x = w.fds.get(a[0]);
        int type = x instanceof Fd.Std ? Stat.T_CHAR : x instanceof Fd.Dir ? Stat.T_DIR : Stat.T_FILE;
        GuestMemory m = c.memory();
        int p = (int) a[1];
        m.writeLong(p, 0);
        m.writeByte(p, (byte) type);
        m.writeByte(p + 2, (byte) x.flags); // fdflags is a u16; ours fit its low byte
        m.writeLong(p + 8, x.rightsBase);
        m.writeLong(p + 16, x.rightsInheriting);
        return Errno.SUCCESS;
    }

    int fdstatSetFlags(HostContext c, long[] a) throws Failure {
        Fd x = w.fds.get(a[0]);
        int flags = checkFlags((int) a[1]);
        if ((flags & Fd.FDFLAG_APPEND) != 0 && x instanceof Fd.File) {
            readOnlyCheck(((Fd.File) x).pre, "fd_fdstat_set_flags(APPEND)");
        }
        x.require(Rights.FD_FDSTAT_SET_FLAGS, "fd_fdstat_set_flags");
        x.flags = flags;
        return Errno.SUCCESS;
    }

    int fdstatSetRights(HostContext c, long[] a) throws Failure {
        Fd x = w.fds.get(a[0]);
        if ((a[1] & ~x.rightsBase) != 0 || (a[2] & ~x.rightsInheriting) != 0) {
            throw Failure.fail(Errno.NOTCAPABLE); // rights can only shrink
        }
        x.rightsBase = a[1];
        x.rightsInheriting = a[2];
        return Errno.SUCCESS;
    }

    private Fd.Dir preopen(long fd) throws Failure {
        Fd x = w.fds.get(fd);
        if (!(x instanceof Fd.Dir) || ((Fd.Dir) x).preopenName == null) {
            throw Failure.fail(Errno.BADF);
        }
        return (Fd.Dir) x;
    }

    int prestatGet(HostContext c, long[] a) throws Failure {
        Fd.Dir d = preopen(a[0]);
        GuestMemory m = c.memory();
        m.writeInt((int) a[1], 0);
        m.writeInt((int) a[1] + 4, d.preopenName.getBytes(StandardCharsets.UTF_8).length);
        return Errno.SUCCESS;
    }

    int prestatDirName(HostContext c, long[] a) throws Failure {
        byte[] name = preopen(a[0]).preopenName.getBytes(StandardCharsets.UTF_8);
        if (a[2] < name.length) {
            throw Failure.fail(Errno.NAMETOOLONG);
        }
        c.memory().write((int) a[1], name);
        return Errno.SUCCESS;
    }

    private Fd.File file(long fd) throws Failure {
        Fd x = w.fds.get(fd);
        if (!(x instanceof Fd.File)) {
            throw Failure.fail(x instanceof Fd.Std ? Errno.SPIPE : Errno.BADF);
        }
        return (Fd.File) x;
    }

    int seek(HostContext c, long[] a) throws Failure, IOException {
        Fd.File f = file(a[0]);
        // a "seek" that only asks where we are needs FD_TELL, as in wasi-libc's lseek(fd, 0, SEEK_CUR)
        f.require(a[2] == 1 && a[1] == 0 ? Rights.FD_TELL : Rights.FD_SEEK, "fd_seek");
        FileChannel ch = f.ch;
        long base;
        switch ((int) a[2]) {
            case 0:
                base = 0;
                break;
            case 1:
                base = ch.position();
                break;
            case 2:
                base = ch.size();
                break;
            default:
                throw Failure.fail(Errno.INVAL);
        }
        long pos = base + a[1];
        if (pos < 0 || (a[1] > 0 && pos < base)) {
            throw Failure.fail(Errno.INVAL);
        }
        ch.position(pos);
        c.memory().writeLong((int) a[3], pos);
        return Errno.SUCCESS;
    }

    int tell(HostContext c, long[] a) throws Failure, IOException {
        Fd.File f = file(a[0]);
        f.require(Rights.FD_TELL, "fd_tell");
        c.memory().writeLong((int) a[1], f.ch.position());
        return Errno.SUCCESS;
    }

    int sync(long fdn, boolean metadata) throws Failure, IOException {
        Fd x = w.fds.get(fdn);
        if (x instanceof Fd.Std) {
            throw Failure.fail(Errno.INVAL);
        }
        x.require(metadata ? Rights.FD_SYNC : Rights.FD_DATASYNC, metadata ? "fd_sync" : "fd_datasync");
        if (x instanceof Fd.File && ((Fd.File) x).writable) {
            ((Fd.File) x).ch.force(metadata);
        }
        return Errno.SUCCESS;
    }

    int advise(HostContext c, long[] a) throws Failure {
        Fd.File f = file(a[0]);
        if (a[3] < 0 || a[3] > 5 || a[1] < 0 || a[2] < 0) {
            throw Failure.fail(Errno.INVAL);
        }
        f.require(Rights.FD_ADVISE, "fd_advise");
        return Errno.SUCCESS;
    }

    private Fd.File writableFile(long fdn, String what, long right) throws Failure {
        Fd x = w.fds.get(fdn);
        if (x instanceof Fd.Dir) {
            readOnlyCheck(((Fd.Dir) x).pre, what);
            throw Failure.fail(Errno.BADF);
        }
        if (!(x instanceof Fd.File)) {
            throw Failure.fail(Errno.BADF);
        }
        Fd.File f = (Fd.File) x;
        readOnlyCheck(f.pre, what);
        if (!f.writable) {
            throw Failure.fail(Errno.BADF);
        }
        f.require(right, what);
        return f;
    }

    int allocate(HostContext c, long[] a) throws Failure, IOException {
        Fd.File f = writableFile(a[0], "fd_allocate", Rights.FD_ALLOCATE);
        if (a[1] < 0 || a[2] <= 0) {
            throw Failure.fail(Errno.INVAL);
        }
        long end = a[1] + a[2];
        if (end < 0) {
            throw Failure.fail(Errno.FBIG);
        }
        grow(f, end);
        return Errno.SUCCESS;
    }

    int setSize(HostContext c, long[] a) throws Failure, IOException {
        Fd.File f = writableFile(a[0], "fd_filestat_set_size", Rights.FD_FILESTAT_SET_SIZE);
        if (a[1] < 0) {
            throw Failure.fail(Errno.INVAL);
        }
        if (a[1] < f.ch.size()) {
            f.ch.truncate(a[1]);
            syncIfAsked(f);
        } else {
            grow(f, a[1]);
        }
        return Errno.SUCCESS;
    }

    /** Grows the file to {@code size}, charging the quota for the growth (a hole costs its size). */
    private void grow(Fd.File f, long size) throws Failure, IOException {
        long cur = f.ch.size();
        if (size > cur) {
            w.quota.charge(size - cur);
            try {
                f.ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            } catch (IOException e) {
                w.quota.refund(size - cur);
                throw e;
            }
            syncIfAsked(f);
        }
    }

    int filestatGet(HostContext c, long[] a) throws Failure, IOException {
        Fd x = w.fds.get(a[0]);
        GuestMemory m = c.memory();
        int p = (int) a[1];
        if (x instanceof Fd.Std) {
            for (int i = 0; i < 64; i += 8) {
                m.writeLong(p + i, 0);
            }
            m.writeByte(p + 16, (byte) Stat.T_CHAR);
            return Errno.SUCCESS;
        }
        x.require(Rights.FD_FILESTAT_GET, "fd_filestat_get");
        Lock lock = NamespaceLock.read(c);
        try {
            if (x instanceof Fd.Dir) {
                Stat.write(m, p, PathResolver.self((Fd.Dir) x).host(), -1, w.hostTime);
            } else {
                Fd.File f = (Fd.File) x;
                Stat.write(m, p, PathResolver.path(f), f.ch.size(), w.hostTime);
            }
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int filestatSetTimes(HostContext c, long[] a) throws Failure, IOException {
        Fd x = w.fds.get(a[0]);
        if (x instanceof Fd.Std) {
            throw Failure.fail(Errno.BADF);
        }
        readOnlyCheck(x instanceof Fd.File ? ((Fd.File) x).pre : ((Fd.Dir) x).pre, "fd_filestat_set_times");
        x.require(Rights.FD_FILESTAT_SET_TIMES, "fd_filestat_set_times");
        Lock lock = NamespaceLock.read(c);
        try {
            Path p = x instanceof Fd.File ? PathResolver.path((Fd.File) x) : PathResolver.self((Fd.Dir) x).host();
            Stat.setTimes(p, a[1], a[2], (int) a[3], w.clock.realtimeNanos());
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    /** Entries sorted by name (the same directory lists the same way on every run), "." and ".." first. */
    int readdir(HostContext c, long[] a) throws Failure, IOException {
        Fd x = w.fds.get(a[0]);
        if (!(x instanceof Fd.Dir)) {
            throw Failure.fail(Errno.NOTDIR);
        }
        x.require(Rights.FD_READDIR, "fd_readdir");
        GuestMemory m = c.memory();
        int buf = (int) a[1];
        long bufLen = Integer.toUnsignedLong((int) a[2]);
        long cookie = a[3];
        if (cookie < 0) {
            throw Failure.fail(Errno.INVAL);
        }
        Lock lock = NamespaceLock.read(c);
        try {
            Path dir = PathResolver.self((Fd.Dir) x).host();
            List<String> names = new ArrayList<>();
            names.add(".");
            names.add("..");
            List<String> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path child : ds) {
                    if ((children.size() & 1023) == 0) {
                        c.checkDeadline();
                    }
                    children.add(child.getFileName().toString());
                }
            }
            children.sort(null);
            names.addAll(children);
            long used = 0;
            for (long i = cookie; i < names.size() && used < bufLen; i++) {
                String name = names.get((int) i);
                Path p = name.equals(".") || name.equals("..") ? dir : dir.resolve(name);
                int type = Stat.T_UNKNOWN;
                long ino = 0;
                BasicFileAttributes at = PathResolver.lstatOrNull(p);
                if (at != null) {
                    type = Stat.type(at);
                    ino = name.equals("..") ? 0 : Stat.unixAttr(p, "unix:ino");
                }
                byte[] nb = name.getBytes(StandardCharsets.UTF_8);
                byte[] entry = new byte[24 + nb.length];
                ByteBuffer e = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
                e.putLong(0, i + 1);
                e.putLong(8, ino);
                e.putInt(16, nb.length);
                e.put(20, (byte) type);
                System.arraycopy(nb, 0, entry, 24, nb.length);
                int n = (int) Math.min(entry.length, bufLen - used);
                m.write((int) (buf + used), entry, 0, n);
                used += n;
            }
            m.writeInt((int) a[4], (int) used);
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }
}
