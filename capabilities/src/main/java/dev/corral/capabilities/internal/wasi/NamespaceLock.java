package dev.corral.capabilities.internal.wasi;

import dev.corral.CallInterruptedException;
import dev.corral.spi.HostContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Makes "resolve a guest path, then act on it" atomic against every other Corral guest in this
 * JVM (this class loader). Java has no {@code openat}/{@code O_BENEATH}: we check each component
 * ourselves, then hand the OS a whole path, which it walks again. Only a change to the directory
 * tree between the two walks can make them differ, and only these calls change it in a way that
 * matters (a directory moved or removed, a symlink put in its place): rename, symlink, unlink,
 * rmdir and link take the write lock; every call that resolves a path takes the read lock. So two
 * plugins granted the same directory cannot race each other out of it.
 *
 * <p>It does not cover other processes (or host code) changing the same directories: see the
 * module README's residual risks.
 *
 * <p>One lock for the whole JVM, not one per grant: grants can overlap (one plugin's root inside
 * another's), and namespace changes are rare and quick next to reads. Waiting for it respects the
 * call's deadline.
 */
final class NamespaceLock {
    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();

    private NamespaceLock() {}

    /** For calls that resolve paths and read or open what they name. */
    static Lock read(HostContext c) {
        return acquire(LOCK.readLock(), c);
    }

    /** For calls that move, remove or link names (and so could swap a checked directory). */
    static Lock write(HostContext c) {
        return acquire(LOCK.writeLock(), c);
    }

    private static Lock acquire(Lock l, HostContext c) {
        try {
            while (!l.tryLock(c.nanosLeft(), TimeUnit.NANOSECONDS)) {
                c.checkDeadline(); // throws once the call is past its deadline
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallInterruptedException("a WASI file-system call");
        }
        return l;
    }
}
