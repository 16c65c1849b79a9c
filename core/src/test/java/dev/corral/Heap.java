package dev.corral;

import java.lang.reflect.Method;

/**
 * Bytes the current thread allocates while running something: the host-side invariant of a
 * bomb test ("heap bounded"), measured by the JVM's per-thread allocation counter
 * (com.sun.management.ThreadMXBean, reached by reflection so core's module needs neither
 * java.management nor jdk.management). A JVM without that counter fails the test rather than
 * passing it blind.
 */
final class Heap {
    private static final Object BEAN;
    private static final Method CURRENT;

    static {
        try {
            BEAN = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Class<?> c = Class.forName("com.sun.management.ThreadMXBean");
            CURRENT = c.getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("this JVM cannot count allocated bytes per thread: " + e);
        }
    }

    private Heap() {}

    static long allocatedNow() {
        try {
            return (long) CURRENT.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Action {
        void run() throws Throwable;
    }

    /** Runs {@code a}, rethrowing what it throws, and returns the bytes this thread allocated meanwhile. */
    static long allocatedBy(Action a) throws Throwable {
        long before = allocatedNow();
        a.run();
        return allocatedNow() - before;
    }
}
