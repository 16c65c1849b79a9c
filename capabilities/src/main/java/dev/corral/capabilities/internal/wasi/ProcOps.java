package dev.corral.capabilities.internal.wasi;

import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;

/** Arguments, environment, randomness, signals and sockets: what is neither a file nor a clock. */
final class ProcOps {
    private static final int CHUNK = 64 * 1024;
    private final WasiInstance w;

    ProcOps(WasiInstance w) {
        this.w = w;
    }

    int argsSizes(HostContext c, long[] a) {
        return sizes(c.memory(), a, w.args);
    }

    int args(HostContext c, long[] a) {
        return strings(c.memory(), a, w.args);
    }

    int environSizes(HostContext c, long[] a) {
        return sizes(c.memory(), a, w.env);
    }

    int environ(HostContext c, long[] a) {
        return strings(c.memory(), a, w.env);
    }

    private static int sizes(GuestMemory m, long[] a, byte[][] strings) {
        long size = 0;
        for (byte[] s : strings) {
            size += s.length + 1;
        }
        m.writeInt((int) a[0], strings.length);
        m.writeInt((int) a[1], (int) size);
        return Errno.SUCCESS;
    }

    private static int strings(GuestMemory m, long[] a, byte[][] strings) {
        int ptrs = (int) a[0];
        int buf = (int) a[1];
        for (byte[] s : strings) {
            m.writeInt(ptrs, buf);
            m.write(buf, s);
            m.writeByte(buf + s.length, (byte) 0);
            ptrs += 4;
            buf += s.length + 1;
        }
        return Errno.SUCCESS;
    }

    /** Fills the whole buffer (random_get cannot be short), checking the deadline between chunks. */
    int random(HostContext c, long[] a) throws Failure {
        if (w.random == null) {
            throw Failure.deny(Errno.NOTCAPABLE, "no randomness granted");
        }
        GuestMemory m = c.memory();
        long ptr = Integer.toUnsignedLong((int) a[0]);
        long len = Integer.toUnsignedLong((int) a[1]);
        if (ptr + len > m.size()) {
            m.read((int) a[0], (int) Math.min(len, Integer.MAX_VALUE)); // the guest's own bad range
            throw Failure.fail(Errno.INVAL);
        }
        byte[] b = new byte[(int) Math.min(CHUNK, len)];
        for (long off = 0; off < len; off += CHUNK) {
            c.checkDeadline();
            int n = (int) Math.min(CHUNK, len - off);
            if (n != b.length) {
                b = new byte[n];
            }
            w.random.nextBytes(b);
            m.write((int) (ptr + off), b);
        }
        return Errno.SUCCESS;
    }

    int raise(HostContext c, long[] a) throws Failure {
        throw Failure.deny(Errno.NOTCAPABLE, "signals are not supported");
    }

    /** No descriptor here is a socket: EBADF for a number that is not open, ENOTSOCK otherwise. */
    int socket(HostContext c, long[] a) throws Failure {
        w.fds.get(a[0]);
        throw Failure.deny(Errno.NOTSOCK, "no network capability");
    }
}
