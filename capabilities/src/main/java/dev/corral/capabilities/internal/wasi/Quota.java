package dev.corral.capabilities.internal.wasi;

/**
 * The write quota of one instance: bytes written to files plus bytes files grew by, including
 * holes (a write past the end, fd_allocate, a larger size), so a sparse file costs its apparent
 * size. Not part of a snapshot: what was written stays on the host's disk after a restore, so the
 * quota is per instance lifetime, not per borrow.
 */
final class Quota {
    private final long limit; // < 0: unlimited
    private long used;

    Quota(long limit) {
        this.limit = limit;
    }

    /** Writing {@code len} bytes at {@code pos} in a file of {@code size} bytes: the bytes plus the hole before them. */
    static long costOfWrite(long pos, long len, long size) {
        return len + Math.max(0, pos - size);
    }

    /** @throws Failure EDQUOT (nothing charged) when {@code bytes} do not fit */
    void charge(long bytes) throws Failure {
        if (limit >= 0 && bytes > 0) {
            if (bytes > limit - used) {
                throw Failure.deny(Errno.DQUOT, "write quota of " + limit + " bytes exhausted (" + used + " used, "
                        + bytes + " asked)");
            }
            used += bytes;
        }
    }

    /** Gives back what a charged write did not use (a short write). */
    void refund(long bytes) {
        if (limit >= 0 && bytes > 0) {
            used -= Math.min(bytes, used);
        }
    }
}
