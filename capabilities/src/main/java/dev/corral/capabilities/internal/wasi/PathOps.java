package dev.corral.capabilities.internal.wasi;

import static dev.corral.capabilities.internal.wasi.PathResolver.lstat;
import static dev.corral.capabilities.internal.wasi.PathResolver.lstatOrNull;
import static dev.corral.capabilities.internal.wasi.PathResolver.resolve;

import dev.corral.capabilities.internal.wasi.PathResolver.Resolved;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;

/**
 * The path_* calls. Each resolves its paths with {@link PathResolver} and acts on them while
 * holding the {@link NamespaceLock}: the read lock to look or open, the write lock to move,
 * remove or link names.
 */
final class PathOps {
    private final WasiInstance w;

    PathOps(WasiInstance w) {
        this.w = w;
    }

    private Fd.Dir dir(long fd, long right) throws Failure {
        if (!w.hasPreopens) {
            throw Failure.deny(Errno.BADF, "no directory granted");
        }
        Fd f = w.fds.get(fd);
        if (!(f instanceof Fd.Dir)) {
            throw Failure.fail(Errno.NOTDIR);
        }
        f.require(right, "path");
        return (Fd.Dir) f;
    }

    private static String path(GuestMemory m, long ptr, long len) throws Failure {
        return PathResolver.read(m, ptr, len);
    }

    int open(HostContext c, long[] a) throws Failure, IOException {
        GuestMemory m = c.memory();
        boolean followFinal = (a[1] & 1) != 0;
        int oflags = (int) a[4];
        long rb = a[5];
        boolean creat = (oflags & 1) != 0;
        boolean directory = (oflags & 2) != 0;
        boolean excl = (oflags & 4) != 0;
        boolean trunc = (oflags & 8) != 0;
        int fdflags = FileOps.checkFlags((int) a[7]);
        boolean append = (fdflags & Fd.FDFLAG_APPEND) != 0;
        boolean wantWrite = (rb & Rights.WRITE_RIGHTS) != 0;
        boolean wantRead = (rb & (Rights.FD_READ | Rights.FD_READDIR)) != 0;
        Fd.Dir d = dir(a[0], Rights.PATH_OPEN | (creat ? Rights.PATH_CREATE_FILE : 0)
                | (trunc ? Rights.PATH_FILESTAT_SET_SIZE : 0));
        String path = path(m, a[2], a[3]);
        if (d.pre.readOnly() && (creat || trunc || wantWrite || append)) {
            throw Failure.deny(Errno.ROFS, "path_open for writing in read-only directory '" + d.pre.guestPath() + "'");
        }
        int fd = w.fds.free();
        Lock lock = NamespaceLock.read(c);
        try {
            Resolved r = resolve(d, path, followFinal);
            Path p = r.host();
            BasicFileAttributes at = lstatOrNull(p);
            if (at != null) {
                if (creat && excl) {
                    throw Failure.fail(Errno.EXIST);
                }
                if (at.isSymbolicLink()) {
                    throw Failure.fail(Errno.LOOP); // O_NOFOLLOW on a symlink
                }
                r.checkTrailingSlash(at);
                if (at.isDirectory()) {
                    if (wantWrite || trunc || append) {
                        throw Failure.fail(Errno.ISDIR);
                    }
                    Fd.Dir nd = new Fd.Dir(r.pre, List.copyOf(r.comps), null, rb & Rights.DIR_RIGHTS & d.rightsInheriting,
                            a[6] & (Rights.DIR_RIGHTS | Rights.FILE_RIGHTS) & d.rightsInheriting);
                    nd.flags = fdflags;
                    return newFd(m, (int) a[8], fd, nd);
                }
                if (directory) {
                    throw Failure.fail(Errno.NOTDIR);
                }
                if (!at.isRegularFile()) {
                    throw Failure.fail(Errno.ACCES); // devices and FIFOs could block the host thread or reach hardware
                }
            } else {
                if (!creat) {
                    throw Failure.fail(Errno.NOENT);
                }
                if (directory || r.dirOnly) {
                    throw Failure.fail(r.dirOnly ? Errno.NOENT : Errno.INVAL);
                }
            }
            Set<OpenOption> opts = new HashSet<>();
            opts.add(PathResolver.NOFOLLOW);
            if (wantRead || !wantWrite) {
                opts.add(StandardOpenOption.READ);
            }
            if (wantWrite || creat || trunc) {
                opts.add(StandardOpenOption.WRITE);
            }
            if (creat) {
                opts.add(excl ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
            }
            if (trunc) {
                opts.add(StandardOpenOption.TRUNCATE_EXISTING);
            }
            FileChannel ch = FileChannel.open(p, opts);
            Fd.File f = new Fd.File(r.pre, List.copyOf(r.comps), ch, opts.contains(StandardOpenOption.READ), wantWrite);
            f.rightsBase = rb & Rights.FILE_RIGHTS & d.rightsInheriting & (wantWrite ? ~0L : ~Rights.WRITE_RIGHTS);
            f.rightsInheriting = a[6] & Rights.FILE_RIGHTS & d.rightsInheriting;
            f.flags = fdflags;
            try {
                return newFd(m, (int) a[8], fd, f);
            } catch (RuntimeException e) {
                ch.close();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private int newFd(GuestMemory m, int resultPtr, int n, Fd f) {
        m.writeInt(resultPtr, n); // first: a bad pointer leaves no descriptor behind
        w.fds.put(n, f);
        return Errno.SUCCESS;
    }

    int filestatGet(HostContext c, long[] a) throws Failure, IOException {
        GuestMemory m = c.memory();
        Fd.Dir d = dir(a[0], Rights.PATH_FILESTAT_GET);
        String p = path(m, a[2], a[3]);
        Lock lock = NamespaceLock.read(c);
        try {
            Resolved r = resolve(d, p, (a[1] & 1) != 0);
            r.checkTrailingSlash(lstat(r.host()));
            Stat.write(m, (int) a[4], r.host(), -1, w.hostTime);
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int filestatSetTimes(HostContext c, long[] a) throws Failure, IOException {
        Fd.Dir d = dir(a[0], Rights.PATH_FILESTAT_SET_TIMES);
        FileOps.readOnlyCheck(d.pre, "path_filestat_set_times");
        String p = path(c.memory(), a[2], a[3]);
        Lock lock = NamespaceLock.read(c);
        try {
            Resolved r = resolve(d, p, (a[1] & 1) != 0);
            r.checkTrailingSlash(lstat(r.host()));
            Stat.setTimes(r.host(), a[4], a[5], (int) a[6], w.clock.realtimeNanos());
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int createDirectory(HostContext c, long[] a) throws Failure, IOException {
        Fd.Dir d = dir(a[0], Rights.PATH_CREATE_DIRECTORY);
        FileOps.readOnlyCheck(d.pre, "path_create_directory");
        String p = path(c.memory(), a[1], a[2]);
        Lock lock = NamespaceLock.read(c);
        try {
            Resolved r = resolve(d, p, false);
            if (r.comps.isEmpty()) {
                throw Failure.fail(Errno.EXIST);
            }
            Files.createDirectory(r.host());
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int unlinkFile(HostContext c, long[] a) throws Failure, IOException {
        Fd.Dir d = dir(a[0], Rights.PATH_UNLINK_FILE);
        FileOps.readOnlyCheck(d.pre, "path_unlink_file");
        String p = path(c.memory(), a[1], a[2]);
        Lock lock = NamespaceLock.write(c);
        try {
            Resolved r = resolve(d, p, false);
            BasicFileAttributes at = lstat(r.host());
            if (at.isDirectory()) {
                throw Failure.fail(Errno.ISDIR);
            }
            if (r.dirOnly) {
                throw Failure.fail(Errno.NOTDIR);
            }
            Files.delete(r.host());
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int removeDirectory(HostContext c, long[] a) throws Failure, IOException {
        Fd.Dir d = dir(a[0], Rights.PATH_REMOVE_DIRECTORY);
        FileOps.readOnlyCheck(d.pre, "path_remove_directory");
        String p = path(c.memory(), a[1], a[2]);
        Lock lock = NamespaceLock.write(c);
        try {
            Resolved r = resolve(d, p, false);
            if (r.comps.isEmpty()) {
                throw Failure.deny(Errno.BUSY, "a preopened directory cannot be removed");
            }
            if (!lstat(r.host()).isDirectory()) {
                throw Failure.fail(Errno.NOTDIR);
            }
            Files.delete(r.host());
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int rename(HostContext c, long[] a) throws Failure, IOException {
        GuestMemory m = c.memory();
        Fd.Dir od = dir(a[0], Rights.PATH_RENAME_SOURCE);
        Fd.Dir nd = dir(a[3], Rights.PATH_RENAME_TARGET);
        FileOps.readOnlyCheck(od.pre, "path_rename (source)");
        FileOps.readOnlyCheck(nd.pre, "path_rename (target)");
        String fromPath = path(m, a[1], a[2]);
        String toPath = path(m, a[4], a[5]);
        Lock lock = NamespaceLock.write(c);
        try {
            Resolved from = resolve(od, fromPath, false);
            Resolved to = resolve(nd, toPath, false);
            if (from.comps.isEmpty() || to.comps.isEmpty()) {
                throw Failure.deny(Errno.BUSY, "a preopened directory cannot be renamed or replaced");
            }
            BasicFileAttributes at = lstat(from.host());
            if (!at.isDirectory() && (from.dirOnly || to.dirOnly)) {
                throw Failure.fail(Errno.NOTDIR);
            }
            if (at.isSymbolicLink()) {
                // moving a link shallower could make it point out; a moved directory's links are
                // only contained by resolution (see the README)
                PathResolver.checkLinkTarget(Files.readSymbolicLink(from.host()).toString(), to.comps.size() - 1);
            }
            Files.move(from.host(), to.host(), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int symlink(HostContext c, long[] a) throws Failure, IOException {
        GuestMemory m = c.memory();
        String target = path(m, a[0], a[1]);
        Fd.Dir d = dir(a[2], Rights.PATH_SYMLINK);
        FileOps.readOnlyCheck(d.pre, "path_symlink");
        String linkPath = path(m, a[3], a[4]);
        Lock lock = NamespaceLock.write(c);
        try {
            Resolved r = resolve(d, linkPath, false);
            if (r.comps.isEmpty()) {
                throw Failure.fail(Errno.EXIST);
            }
            BasicFileAttributes at = lstatOrNull(r.host());
            if (at != null) {
                r.checkTrailingSlash(at);
                throw Failure.fail(Errno.EXIST);
            }
            if (r.dirOnly) {
                throw Failure.fail(Errno.NOENT); // "x/" names a directory that does not exist
            }
            if (target.isEmpty()) {
                throw Failure.fail(Errno.NOENT);
            }
            // the link must stay inside where it is created; resolution re-checks wherever it moves
            PathResolver.checkLinkTarget(target, r.comps.size() - 1);
            Files.createSymbolicLink(r.host(), Path.of(target));
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int link(HostContext c, long[] a) throws Failure, IOException {
        GuestMemory m = c.memory();
        Fd.Dir od = dir(a[0], Rights.PATH_LINK_SOURCE);
        Fd.Dir nd = dir(a[4], Rights.PATH_LINK_TARGET);
        // both ends: a hard link from a read-only directory into a writable one would make the
        // read-only file writable through the new name
        FileOps.readOnlyCheck(od.pre, "path_link (source)");
        FileOps.readOnlyCheck(nd.pre, "path_link (target)");
        String fromPath = path(m, a[2], a[3]);
        String toPath = path(m, a[5], a[6]);
        Lock lock = NamespaceLock.write(c);
        try {
            Resolved from = resolve(od, fromPath, (a[1] & 1) != 0);
            Resolved to = resolve(nd, toPath, false);
            BasicFileAttributes at = lstat(from.host());
            if (at.isDirectory()) {
                throw Failure.fail(Errno.PERM);
            }
            from.checkTrailingSlash(at);
            if (to.comps.isEmpty() || lstatOrNull(to.host()) != null) {
                throw Failure.fail(Errno.EXIST);
            }
            if (to.dirOnly) {
                throw Failure.fail(Errno.NOENT);
            }
            if (at.isSymbolicLink()) {
                // a second name for a symlink: like a rename, it must not point out from there
                PathResolver.checkLinkTarget(Files.readSymbolicLink(from.host()).toString(), to.comps.size() - 1);
            } else if (!at.isRegularFile()) {
                throw Failure.fail(Errno.PERM);
            }
            Files.createLink(to.host(), from.host());
        } finally {
            lock.unlock();
        }
        return Errno.SUCCESS;
    }

    int readlink(HostContext c, long[] a) throws Failure, IOException {
        GuestMemory m = c.memory();
        Fd.Dir d = dir(a[0], Rights.PATH_READLINK);
        String p = path(m, a[1], a[2]);
        byte[] t;
        Lock lock = NamespaceLock.read(c);
        try {
            Resolved r = resolve(d, p, false);
            if (!lstat(r.host()).isSymbolicLink()) {
                throw Failure.fail(Errno.INVAL);
            }
            t = Files.readSymbolicLink(r.host()).toString().getBytes(StandardCharsets.UTF_8);
        } finally {
            lock.unlock();
        }
        int n = (int) Math.min(t.length, Integer.toUnsignedLong((int) a[4]));
        m.write((int) a[3], t, 0, n);
        m.writeInt((int) a[5], n);
        return Errno.SUCCESS;
    }
}
