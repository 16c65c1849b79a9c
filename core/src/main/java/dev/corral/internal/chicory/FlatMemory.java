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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

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
 */
final class FlatMemory implements Memory {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle FLOAT = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_HEADROOM = 256 << 20;

    private final MemoryLimits limits;
    private final int maximumPages;
    private byte[] data;
    private int size;
    private int pages;
    private DataSegment[] dataSegments;

    FlatMemory(MemoryLimits limits) {
        if (limits.shared()) {
            throw new IllegalArgumentException("shared memories need Chicory's paged memory");
        }
        this.limits = limits;
        this.maximumPages = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
        this.pages = limits.initialPages();
        this.size = Memory.bytes(pages);
        this.data = new byte[size];
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
        if (wanted > maximumPages) {
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
        data[index(addr, 1)] = value;
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
        SHORT.set(data, index(addr, 2), value);
    }

    @Override
    public int readInt(int addr) {
        return (int) INT.get(data, index(addr, 4));
    }

    @Override
    public void writeI32(int addr, int value) {
        INT.set(data, index(addr, 4), value);
    }

    @Override
    public long readLong(int addr) {
        return (long) LONG.get(data, index(addr, 8));
    }

    @Override
    public void writeLong(int addr, long value) {
        LONG.set(data, index(addr, 8), value);
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
        FLOAT.set(data, index(addr, 4), value);
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
        DOUBLE.set(data, index(addr, 8), value);
    }

    @Override
    public void zero() {
        Arrays.fill(data, 0, size, (byte) 0);
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        // Chicory passes offset + size, which may have wrapped: the difference is the wasm size
        // again, and check reads it as unsigned
        int len = toIndex - fromIndex;
        check(fromIndex, len);
        Arrays.fill(data, fromIndex, fromIndex + len, value);
    }

    @Override
    public void copy(int dest, int src, int len) {
        check(dest, len);
        check(src, len);
        System.arraycopy(data, src, data, dest, len);
    }
}
