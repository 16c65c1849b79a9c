package dev.corral.capabilities.internal.wasi;

import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * fd_read, fd_pread, fd_write, fd_pwrite. One call moves at most {@link #MAX_PER_CALL} bytes in
 * total over all its iovecs (overlapping ones count every time), checks the call's deadline
 * between {@link #CHUNK}-byte chunks, and returns a short count when it stops early: POSIX allows
 * short reads and writes, and C's stdio and Rust's {@code write_all} loop on them.
 */
final class Io {
    static final int MAX_IOVS = 1024;
    static final int CHUNK = 64 * 1024;
    static final long MAX_PER_CALL = 4L << 20;
    private final WasiInstance w;

    Io(WasiInstance w) {
        this.w = w;
    }

    int write(HostContext c, long[] a, boolean positioned) throws Failure, IOException {
        GuestMemory m = c.memory();
        Fd x = w.fds.get(a[0]);
        int iovs = (int) a[1];
        long n = Integer.toUnsignedLong((int) a[2]);
        long offset = positioned ? a[3] : 0;
        int resultPtr = (int) (positioned ? a[4] : a[3]);
        if (n > MAX_IOVS) {
            throw Failure.fail(Errno.INVAL);
        }
        if (x instanceof Fd.Std) {
            Fd.Std s = (Fd.Std) x;
            if (s.sink == null) {
                throw Failure.fail(Errno.BADF);
            }
            if (positioned) {
                throw Failure.fail(Errno.SPIPE);
            }
            x.require(Rights.FD_WRITE, "fd_write");
            long total = 0;
            for (int i = 0; i < n && total < MAX_PER_CALL; i++) {
                int ptr = m.readInt(iovs + i * 8);
                long len = Math.min(Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4)), MAX_PER_CALL - total);
                for (long off = 0; off < len; off += CHUNK) {
                    c.checkDeadline();
                    int chunk = (int) Math.min(CHUNK, len - off);
                    // bytes the sink would drop are not copied out of the guest, only checked
                    int keep = (int) Math.min(chunk, s.sink.room());
                    byte[] b = m.read((int) (ptr + off), keep);
                    if (keep < chunk) {
                        m.read((int) (ptr + off + chunk - 1), 1);
                        s.sink.skipped(chunk - keep);
                    }
                    if (keep > 0) {
                        s.sink.write(b, 0, keep);
                    }
                }
                total += len;
            }
            m.writeInt(resultPtr, (int) total);
            return Errno.SUCCESS;
        }
        if (x instanceof Fd.Dir) {
            FileOps.readOnlyCheck(((Fd.Dir) x).pre, positioned ? "fd_pwrite" : "fd_write");
            throw Failure.fail(Errno.BADF);
        }
        Fd.File f = (Fd.File) x;
        FileOps.readOnlyCheck(f.pre, positioned ? "fd_pwrite" : "fd_write");
        if (!f.writable) {
            throw Failure.fail(Errno.BADF);
        }
        f.require(positioned ? Rights.FD_WRITE | Rights.FD_SEEK : Rights.FD_WRITE, "fd_write");
        if (positioned && offset < 0) {
            throw Failure.fail(Errno.INVAL);
        }
        long want = 0;
        for (int i = 0; i < n; i++) {
            want += Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4));
        }
        want = Math.min(want, MAX_PER_CALL);
        long size = f.ch.size();
        long pos = positioned ? offset : (f.append() ? size : f.ch.position());
        if (pos + want < 0) {
            throw Failure.fail(Errno.FBIG);
        }
        // the quota is charged for the bytes and for the hole before them, so a write far past
        // the end (a sparse file of that apparent size) costs what it looks like
        long cost = Quota.costOfWrite(pos, want, size);
        w.quota.charge(cost);
        long total = 0;
        try {
            for (int i = 0; i < n && total < want; i++) {
                int ptr = m.readInt(iovs + i * 8);
                long len = Math.min(Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4)), want - total);
                for (long off = 0; off < len; off += CHUNK) {
                    c.checkDeadline();
                    ByteBuffer b = ByteBuffer.wrap(m.read((int) (ptr + off), (int) Math.min(CHUNK, len - off)));
                    while (b.hasRemaining()) {
                        int k = f.ch.write(b, pos);
                        pos += k;
                        total += k;
                    }
                }
            }
        } finally {
            w.quota.refund(cost - Quota.costOfWrite(pos - total, total, size));
        }
        FileOps.syncIfAsked(f);
        if (!positioned) {
            f.ch.position(pos);
        }
        m.writeInt(resultPtr, (int) total);
        return Errno.SUCCESS;
    }

    int read(HostContext c, long[] a, boolean positioned) throws Failure, IOException {
        GuestMemory m = c.memory();
        Fd x = w.fds.get(a[0]);
        int iovs = (int) a[1];
        long n = Integer.toUnsignedLong((int) a[2]);
        int resultPtr = (int) (positioned ? a[4] : a[3]);
        if (n > MAX_IOVS) {
            throw Failure.fail(Errno.INVAL);
        }
        if (x instanceof Fd.Std) {
            if (((Fd.Std) x).sink != null) {
                throw Failure.fail(Errno.BADF);
            }
            if (positioned) {
                throw Failure.fail(Errno.SPIPE);
            }
            x.require(Rights.FD_READ, "fd_read");
            m.writeInt(resultPtr, 0); // stdin is always at end of file
            return Errno.SUCCESS;
        }
        if (x instanceof Fd.Dir) {
            throw Failure.fail(Errno.ISDIR);
        }
        Fd.File f = (Fd.File) x;
        if (!f.readable) {
            throw Failure.fail(Errno.BADF);
        }
        f.require(positioned ? Rights.FD_READ | Rights.FD_SEEK : Rights.FD_READ, "fd_read");
        long pos = positioned ? a[3] : f.ch.position();
        if (pos < 0) {
            throw Failure.fail(Errno.INVAL);
        }
        long total = 0;
        outer:
        for (int i = 0; i < n && total < MAX_PER_CALL; i++) {
            int ptr = m.readInt(iovs + i * 8);
            long len = Math.min(Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4)), MAX_PER_CALL - total);
            if (Integer.toUnsignedLong(ptr) + len > m.size()) {
                m.read(ptr, (int) Math.min(len, Integer.MAX_VALUE)); // the guest's own bad range
            }
            for (long off = 0; off < len; ) {
                c.checkDeadline();
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(CHUNK, len - off));
                int got = f.ch.read(b, pos);
                if (got <= 0) {
                    break outer;
                }
                m.write((int) (ptr + off), b.array(), 0, got);
                off += got;
                pos += got;
                total += got;
                if (got < b.capacity()) {
                    break outer;
                }
            }
        }
        if (!positioned) {
            f.ch.position(pos);
        }
        m.writeInt(resultPtr, (int) total);
        return Errno.SUCCESS;
    }
}
