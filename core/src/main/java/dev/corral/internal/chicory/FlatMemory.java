package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import dev.corral.internal.Deadline;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * A plugin's linear memory as one contiguous {@code byte[]}, so that a host function can be
 * handed a read-only {@link ByteBuffer} view of a guest range without a copy. Chicory's own
 * memories are paged (64 KiB arrays), and a range that crosses a page cannot be one buffer.
 *
 * <p>Growing copies the array into a larger one. The capacity runs ahead of the size (half the
 * size again, at most 256 MiB, never past the maximum), so a guest growing a page at a time copies
 * O(final size) in all; a failed allocation makes {@code memory.grow} return -1 rather than
 * throw. Bytes between the size and the capacity are never reachable: every access is checked
 * against the size. Views taken before a grow keep reading the old array, which is why a view is
 * only valid during the host call it was handed to.
 *
 * <p>Shared memories (threads) stay on Chicory's paged memory: growing by copy is not safe while
 * another thread reads. A plugin's memory is otherwise only touched by the thread running it.
 *
 * <p><b>Snapshots.</b> Every store marks its 4 KiB chunk in {@code dirty} (one byte store, no
 * branch), so a snapshot copies and a restore rewrites only the chunks written since the previous
 * snapshot or restore: the cost follows what the guest touched, not the memory's size. Images
 * share unchanged chunks with the image before them (copy-on-write in spirit; an all-zero chunk is
 * stored as null), so a chain of snapshots, one per game tick say, costs the changed chunks each.
 * A store of n bytes marks the chunk its first byte is in; the up to 7 bytes it may spill into the
 * next chunk are caught by comparing that chunk's first 8 bytes with the image.
 */
final class FlatMemory implements Memory, LongSupplier, Deadline.StopWord {
    private static final VarHandle STOP;

    static {
        try {
            STOP = MethodHandles.lookup().findVarHandle(FlatMemory.class, "stop", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_HEADROOM = 256 << 20;
    static final int CHUNK_SHIFT = 12;
    static final int CHUNK = 1 << CHUNK_SHIFT;
    private static final byte[] ZERO_CHUNK = new byte[CHUNK];
    /**
     * Only for measuring what write tracking costs (benchmarks/: ComputeBenchmark's untracked
     * row): with this system property set, stores mark nothing and snapshots are refused. A static
     * final, so the JIT folds the test away.
     */
    static final boolean TRACKING = !Boolean.getBoolean("dev.corral.internal.untrackedMemory");

    private final MemoryLimits limits;
    private final int maximumPages;
    private byte[] data;
    private int size;
    private int pages;
    private DataSegment[] dataSegments;
    /** One byte per 4 KiB chunk of the array: 1 when written since {@code base}. */
    private byte[] dirty;
    /** The image this memory equalled when {@code dirty} was last cleared; null before the first snapshot. */
    private Image base;
    /** The plugin's memories share the policy's bound (multi-memory); null: this memory alone. */
    private final MemoryBudget budget;
    /**
     * The stop word of the instance's running call in stop mode ({@link StopChecks}, {@link
     * Deadline}): its token, plus 1 once the watchdog stopped it; 0 otherwise. It lives here
     * because Chicory hands memory 0 to every generated function, and is read there through
     * {@link LongSupplier} because generated classes may not see Corral's own. Only the owner
     * stores (a release store arms it, publishing the deadline's fields); the watchdog reads and CASes.
     */
    @SuppressWarnings("unused") // through STOP
    private volatile long stop;

    FlatMemory(MemoryLimits limits) {
        this(limits, null);
    }

    FlatMemory(MemoryLimits limits, MemoryBudget budget) {
        this.budget = budget;
        if (limits.shared()) {
            throw new IllegalArgumentException("shared memories need Chicory's paged memory");
        }
        this.limits = limits;
        this.maximumPages = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
        this.pages = limits.initialPages();
        this.size = Memory.bytes(pages);
        this.data = new byte[size];
        this.dirty = new byte[marks(size)];
    }

    /**
     * Marks for an array of {@code bytes}: one per chunk, rounded up to a power of two so that a
     * store's mark can be indexed with a mask (which C2 proves in bounds, JDK-8003585) instead of a
     * range check; the mask never changes the index, as every index is below the size.
     */
    private static int marks(int bytes) {
        int n = chunks(bytes) + 1;
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    private static int chunks(int bytes) {
        return bytes >>> CHUNK_SHIFT;
    }

    /** A factory that keeps shared memories on Chicory's paged implementation. */
    static Memory create(MemoryLimits limits) {
        return limits.shared() ? new com.dylibso.chicory.runtime.ByteArrayMemory(limits) : new FlatMemory(limits);
    }

    /** Bytes [addr, addr + len) as a read-only little-endian view; the caller has checked the range. */
    ByteBuffer view(int addr, int len) {
        return ByteBuffer.wrap(data, addr, len).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The backing array, for in-place reads of a range the caller has checked; replaced by a grow. */
    byte[] array() {
        return data;
    }

    /** The stop word, as the generated code's stop check reads it. */
    @Override
    public long getAsLong() {
        return stop;
    }

    /** Owner: the call with {@code token} (never 0, bit 0 clear) starts. */
    @Override
    public void arm(long token) {
        STOP.setRelease(this, token);
    }

    @Override
    public long read() {
        return (long) STOP.getAcquire(this);
    }

    /** Owner: the running call ended; whether the watchdog stopped it. */
    boolean disarmStop() {
        long w = (long) STOP.getOpaque(this);
        STOP.setOpaque(this, 0L);
        return (w & 1) != 0;
    }

    /** Watchdog: stops the call with {@code token} if it is still running; a later call's token makes this a no-op. */
    @Override
    public void stop(long token) {
        STOP.compareAndSet(this, token, token | 1);
    }

    private static WasmRuntimeException outOfBounds(int addr, long len, long size) {
        return new WasmRuntimeException("out of bounds memory access: attempted to access address: " + Integer.toUnsignedLong(addr)
                + " but limit is: " + size + " and size: " + len);
    }

    /**
     * The index of an n-byte access at addr (n from 1 to 8). Objects.checkIndex is the form of
     * check the JIT folds into the array's own range check and hoists out of loops: an explicit
     * comparison against the size measured 1.4x slower on memory-bound code.
     */
    private int index(int addr, int n) {
        try {
            return java.util.Objects.checkIndex(addr, size - (n - 1));
        } catch (IndexOutOfBoundsException e) {
            throw outOfBounds(addr, n, size);
        }
    }

    /** Checks [addr, addr + len) against the size, addr and len read as unsigned (a negative len is huge). */
    private int check(int addr, int len) {
        if (Integer.toUnsignedLong(addr) + Integer.toUnsignedLong(len) > size) {
            throw outOfBounds(addr, Integer.toUnsignedLong(len), size);
        }
        return addr;
    }

    @Override
    public int pages() {
        return pages;
    }

    @Override
    public int grow(int delta) {
        int previous = pages;
        long wanted = (long) previous + Integer.toUnsignedLong(delta);
        if (wanted > maximumPages || (budget != null && !budget.allows(wanted - previous))) {
            return -1;
        }
        int newSize = Memory.bytes((int) wanted);
        if (newSize > data.length) {
            long headroom = Math.min(newSize / 2, MAX_HEADROOM);
            int capacity = (int) Math.min((long) newSize + headroom, Memory.bytes(maximumPages));
            try {
                data = Arrays.copyOf(data, capacity);
            } catch (OutOfMemoryError e) {
                try {
                    data = Arrays.copyOf(data, newSize); // without headroom
                } catch (OutOfMemoryError again) {
                    return -1; // the host has no room: grow fails as the spec allows, the JVM carries on
                }
            }
            dirty = Arrays.copyOf(dirty, marks(data.length));
        }
        pages = (int) wanted;
        size = newSize;
        return previous;
    }

    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    @Override
    public int maximumPages() {
        return maximumPages;
    }

    @Override
    public boolean shared() {
        return false;
    }

    /** Unshared: the atomic defaults lock this object, always uncontended. */
    @Override
    @SuppressWarnings("removal")
    public Object lock(int address) {
        return this;
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, int expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int waitOn(int address, long expected, long timeout) {
        throw new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    @Override
    @SuppressWarnings("removal")
    public int notify(int address, int maxThreads) {
        return 0; // nobody can wait on an unshared memory
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        this.dataSegments = dataSegments;
        if (dataSegments == null) {
            return;
        }
        for (var s : dataSegments) {
            if (s instanceof ActiveDataSegment) {
                var segment = (ActiveDataSegment) s;
                if (segment.index() != memoryIndex) {
                    continue;
                }
                byte[] bytes = segment.data();
                int offset = (int) ConstantEvaluators.computeConstantValue(instance, segment.offsetInstructions())[0];
                if (Integer.toUnsignedLong(offset) + bytes.length > size) {
                    throw new UninstantiableException(outOfBounds(offset, bytes.length, size).getMessage());
                }
                System.arraycopy(bytes, 0, data, offset, bytes.length);
                mark(offset, bytes.length);
            } else if (!(s instanceof PassiveDataSegment)) {
                throw new ChicoryException("Data segment should be active or passive: " + s);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        write(dest, dataSegments[segmentId].data(), offset, size);
    }

    @Override
    public void drop(int segment) {
        dataSegments[segment] = PassiveDataSegment.EMPTY;
    }

    @Override
    public void write(int addr, byte[] src, int offset, int len) {
        if (offset < 0 || len < 0 || offset > src.length - len) {
            throw outOfBounds(offset, len, src.length);
        }
        System.arraycopy(src, offset, data, check(addr, len), len);
        mark(addr, len);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        int from = check(addr, len);
        return Arrays.copyOfRange(data, from, from + len);
    }

    @Override
    public byte read(int addr) {
        return data[index(addr, 1)];
    }

    @Override
    public void writeByte(int addr, byte value) {
        int i = index(addr, 1);
        if (TRACKING) {
            dirty[(i >>> CHUNK_SHIFT) & (dirty.length - 1)] = 1; // in bounds: the mask lets the JIT drop the range check
        }
        data[i] = value;
    }

    @Override
    public short readShort(int addr) {
        return (short) SHORT.get(data, index(addr, 2));
    }

    @Override
    public long readU16(int addr) {
        return readShort(addr) & 0xFFFFL;
    }

    @Override
    public void writeShort(int addr, short value) {
        int i = index(addr, 2);
        if (TRACKING) {
            dirty[(i >>> CHUNK_SHIFT) & (dirty.length - 1)] = 1; // in bounds: the mask lets the JIT drop the range check
        }
        SHORT.set(data, i, value);
    }

    @Override
    public int readInt(int addr) {
        return (int) INT.get(data, index(addr, 4));
    }

    @Override
    public void writeI32(int addr, int value) {
        int i = index(addr, 4);
        if (TRACKING) {
            dirty[(i >>> CHUNK_SHIFT) & (dirty.length - 1)] = 1; // in bounds: the mask lets the JIT drop the range check
        }
        INT.set(data, i, value);
    }

    @Override
    public long readLong(int addr) {
        return (long) LONG.get(data, index(addr, 8));
    }

    @Override
    public void writeLong(int addr, long value) {
        int i = index(addr, 8);
        if (TRACKING) {
            dirty[(i >>> CHUNK_SHIFT) & (dirty.length - 1)] = 1; // in bounds: the mask lets the JIT drop the range check
        }
        LONG.set(data, i, value);
    }

    @Override
    public long readF32(int addr) {
        return readInt(addr);
    }

    @Override
    public float readFloat(int addr) {
        return (float) FLOAT.get(data, index(addr, 4));
    }

    @Override
    public void writeF32(int addr, float value) {
        int i = index(addr, 4);
        if (TRACKING) {
            dirty[(i >>> CHUNK_SHIFT) & (dirty.length - 1)] = 1; // in bounds: the mask lets the JIT drop the range check
        }
        FLOAT.set(data, i, value);
    }

    @Override
    public long readF64(int addr) {
        return readLong(addr);
    }

    @Override
    public double readDouble(int addr) {
        return (double) DOUBLE.get(data, index(addr, 8));
    }

    @Override
    public void writeF64(int addr, double value) {
        int i = index(addr, 8);
        if (TRACKING) {
            dirty[(i >>> CHUNK_SHIFT) & (dirty.length - 1)] = 1; // in bounds: the mask lets the JIT drop the range check
        }
        DOUBLE.set(data, i, value);
    }

    @Override
    public void zero() {
        // Chicory zeroes every memory it has just made, before the data segments: with tracking on
        // and no snapshot yet, every write since the array was allocated (zero) left a mark, so no
        // mark means nothing to clear: a scan of size/4096 marks instead of a fill of the whole
        // memory, at every instantiation (Go's initial heap is 18 MB)
        if (TRACKING && base == null && nextDirty(0, dirty.length) == dirty.length) {
            return;
        }
        Arrays.fill(data, 0, size, (byte) 0);
        mark(0, size);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        // Chicory passes offset + size, which may have wrapped: the difference is the wasm size
        // again, and check reads it as unsigned
        int len = toIndex - fromIndex;
        check(fromIndex, len);
        Arrays.fill(data, fromIndex, fromIndex + len, value);
        mark(fromIndex, len);
    }

    @Override
    public void copy(int dest, int src, int len) {
        check(dest, len);
        check(src, len);
        System.arraycopy(data, src, data, dest, len);
        mark(dest, len);
    }

    /** Marks the chunks of a checked range [addr, addr + len) as written. */
    private void mark(int addr, int len) {
        if (len > 0) {
            Arrays.fill(dirty, addr >>> CHUNK_SHIFT, ((addr + len - 1) >>> CHUNK_SHIFT) + 1, (byte) 1);
        }
    }

    // ---- snapshots ----

    /**
     * Memory contents at one moment: its size and its 4 KiB chunks, null for an all-zero chunk.
     * Immutable; chunks are shared with the images taken before and after.
     */
    static final class Image {
        final int pages;
        final int size;
        final byte[][] chunks;
        final DataSegment[] segments;

        Image(int pages, int size, byte[][] chunks, DataSegment[] segments) {
            this.pages = pages;
            this.size = size;
            this.chunks = chunks;
            this.segments = segments;
        }

        byte[] chunk(int i) {
            return i < chunks.length ? chunks[i] : null;
        }
    }

    /** The first chunk at or after {@code from} marked written, or {@code limit}; scans 4 KiB of marks at a time. */
    private int nextDirty(int from, int limit) {
        while (from < limit) {
            int span = Math.min(CHUNK, limit - from);
            int at = Arrays.mismatch(dirty, from, from + span, ZERO_CHUNK, 0, span);
            if (at >= 0) {
                return from + at;
            }
            from += span;
        }
        return limit;
    }

    /**
     * Whether chunk {@code i}, not itself marked, may still differ from {@code image}: a store of
     * up to 8 bytes that began at the end of chunk {@code i - 1} (marked) may have spilled into its
     * first bytes.
     */
    private boolean spilledInto(int i, byte[] imageChunk) {
        int at = i << CHUNK_SHIFT;
        return Arrays.mismatch(data, at, at + 8, imageChunk == null ? ZERO_CHUNK : imageChunk, 0, 8) >= 0;
    }

    /**
     * Takes an image of the memory. Chunks not written since the last snapshot or restore are
     * shared with that image; written ones are copied (or null when all zero).
     */
    Image snapshot() {
        return snapshot(null);
    }

    /**
     * As {@link #snapshot()}; a first snapshot reuses the chunks of {@code like} (an image of
     * another instance of the same module, e.g. the pool's first) whose bytes are equal, so that
     * instances initialized alike hold one copy of their initial memory between them.
     */
    Image snapshot(Image like) {
        if (!TRACKING) {
            throw new UnsupportedOperationException("snapshots are off: the JVM runs with -Ddev.corral.internal.untrackedMemory");
        }
        int n = chunks(size);
        byte[][] out = new byte[n][];
        if (base == null) {
            for (int i = 0; i < n; i++) {
                byte[] shared = like == null ? null : like.chunk(i);
                int at = i << CHUNK_SHIFT;
                out[i] = shared != null && Arrays.equals(data, at, at + CHUNK, shared, 0, CHUNK) ? shared : copyChunk(i);
            }
            Arrays.fill(dirty, (byte) 0);
        } else {
            System.arraycopy(base.chunks, 0, out, 0, Math.min(n, base.chunks.length)); // beyond: grown, zero unless marked
            for (int i = nextDirty(0, n); i < n; i = nextDirty(i + 1, n)) {
                out[i] = copyChunk(i);
                if (i + 1 < n && dirty[i + 1] == 0 && spilledInto(i + 1, base.chunk(i + 1))) {
                    out[i + 1] = copyChunk(i + 1);
                }
            }
            clearDirty();
        }
        base = new Image(pages, size, out, dataSegments == null ? null : dataSegments.clone());
        return base;
    }

    private byte[] copyChunk(int i) {
        int at = i << CHUNK_SHIFT;
        if (Arrays.mismatch(data, at, at + CHUNK, ZERO_CHUNK, 0, CHUNK) < 0) {
            return null;
        }
        return Arrays.copyOfRange(data, at, at + CHUNK);
    }

    /** Clears every mark; costs a vectorized scan of the marks plus the marked ones. */
    private void clearDirty() {
        for (int i = nextDirty(0, dirty.length); i < dirty.length; i = nextDirty(i + 1, dirty.length)) {
            dirty[i] = 0;
        }
    }

    private void writeChunk(int i, byte[] chunk) {
        int at = i << CHUNK_SHIFT;
        if (chunk == null) {
            Arrays.fill(data, at, at + CHUNK, (byte) 0);
        } else {
            System.arraycopy(chunk, 0, data, at, CHUNK);
        }
    }

    /**
     * Puts the memory back to {@code image}, which must come from this memory. The memory equals
     * {@code base} except in the chunks marked since; so only those are rewritten, plus, when
     * {@code image} is not {@code base}, the chunks whose content differs between the two images
     * (told apart by reference: images share unchanged chunks). The size shrinks or grows back.
     */
    void restore(Image image) {
        if (image.size > data.length) {
            data = Arrays.copyOf(data, image.size);
            dirty = Arrays.copyOf(dirty, marks(data.length));
        }
        int now = chunks(size);
        int target = chunks(image.size);
        int n = Math.max(now, target);
        // 1. chunks written since base: back to what the image holds (zero beyond its size)
        for (int i = nextDirty(0, n); i < n; i = nextDirty(i + 1, n)) {
            writeChunk(i, image.chunk(i));
            if (i + 1 < n && dirty[i + 1] == 0 && (i + 1 >= target || spilledInto(i + 1, image.chunk(i + 1)))) {
                writeChunk(i + 1, image.chunk(i + 1));
            }
        }
        // 2. chunks where base and image differ (the image is an older or newer snapshot)
        if (image != base) {
            for (int i = 0; i < n; i++) {
                byte[] was = i < now ? base.chunk(i) : null; // beyond the size: zero
                byte[] want = image.chunk(i); // beyond the image's size: zero
                if (was != want && dirty[i] == 0) {
                    writeChunk(i, want);
                }
            }
        }
        pages = image.pages;
        size = image.size;
        if (dataSegments != null && image.segments != null) {
            System.arraycopy(image.segments, 0, dataSegments, 0, dataSegments.length);
        }
        clearDirty();
        base = image;
    }
}
