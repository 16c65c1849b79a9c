package dev.corral.capabilities.internal.wasi;

/**
 * A refusal: the errno the guest sees and, for a denial by the grants, why (counted and logged).
 * Cheap: no stack trace, because guests can cause these by the million.
 */
final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    final int errno;
    final String denial;

    private Failure(int errno, String denial) {
        super(denial, null, false, false);
        this.errno = errno;
        this.denial = denial;
    }

    /** An ordinary error answer (EBADF, ENOENT, ...). */
    static Failure fail(int errno) {
        return new Failure(errno, null);
    }

    /** A call the grants do not cover: counted in {@code Wasi.deniedCalls()} and logged at DEBUG. */
    static Failure deny(int errno, String why) {
        return new Failure(errno, why);
    }
}
