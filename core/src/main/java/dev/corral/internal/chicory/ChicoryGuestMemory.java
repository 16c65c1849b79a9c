package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Memory;
import dev.corral.GuestMemoryException;
import dev.corral.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked guest memory. Guest pointers are unsigned 32-bit; every range is checked against
 * the current size here, so Chicory's memory never sees an out-of-range access from the host.
 */
final class ChicoryGuestMemory implements GuestMemory {
    private final Memory memory;
    /** The same memory when it is Corral's contiguous one (views and in-place strings), else null. */
    private final FlatMemory flat;
    private final int maxTransfer;

    ChicoryGuestMemory(Memory memory, int maxTransfer) {
        this.memory = memory;
        this.flat = memory instanceof FlatMemory ? (FlatMemory) memory : null;
        this.maxTransfer = maxTransfer;
    }

    @Override
    public long size() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    @Override
    public int pages() {
        return memory.pages();
    }

    private int check(int ptr, long len) {
        long p = Integer.toUnsignedLong(ptr);
        if (len < 0) {
            throw new GuestMemoryException("negative length " + len + " at guest address " + p);
        }
        long size = size();
        if (p + len > size) {
            throw new GuestMemoryException("guest range [" + p + ", " + (p + len) + ") is outside the plugin's memory of "
                    + size + " bytes");
        }
        return (int) p;
    }

    @Override
    public byte readByte(int ptr) {
        return memory.read(check(ptr, 1));
    }

    @Override
    public int readInt(int ptr) {
        return memory.readInt(check(ptr, 4));
    }

    @Override
    public long readLong(int ptr) {
        return memory.readLong(check(ptr, 8));
    }

    @Override
    public byte[] read(int ptr, int len) {
        checkTransfer(len);
        return memory.readBytes(check(ptr, len), len);
    }

    /** The length is the guest's: bound what it can make the host allocate, whatever its memory size. */
    private void checkTransfer(int len) {
        if (len > maxTransfer) {
            throw new GuestMemoryException("guest asked the host to read " + Integer.toUnsignedLong(len)
                    + " bytes at once, more than the policy's maxGuestTransfer of " + maxTransfer + " bytes");
        }
    }

    /** Zero-copy over Corral's flat memory, so not bounded by maxGuestTransfer; a copy otherwise. */
    @Override
    public ByteBuffer readOnlyView(int ptr, int len) {
        if (flat != null) {
            return flat.view(check(ptr, len), len);
        }
        return GuestMemory.super.readOnlyView(ptr, len);
    }

    @Override
    public String readString(int ptr, int len) {
        checkTransfer(len);
        int from = check(ptr, len);
        // decoded in place from a flat memory (one copy, into the String), else from a copy
        byte[] bytes = flat != null ? flat.array() : memory.readBytes(from, len);
        int offset = flat != null ? from : 0;
        // Fast path: the JDK's lenient decoder is intrinsified, and it only yields U+FFFD for
        // malformed input or a genuine U+FFFD; only then pay for the strict decoder to tell which.
        String fast = new String(bytes, offset, len, StandardCharsets.UTF_8);
        if (fast.indexOf('\uFFFD') < 0) {
            return fast;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new GuestMemoryException("guest string at " + Integer.toUnsignedLong(ptr) + " (" + len
                    + " bytes) is not valid UTF-8");
        }
    }

    @Override
    public void writeByte(int ptr, byte value) {
        memory.writeByte(check(ptr, 1), value);
    }

    @Override
    public void writeInt(int ptr, int value) {
        memory.writeI32(check(ptr, 4), value);
    }

    @Override
    public void writeLong(int ptr, long value) {
        memory.writeLong(check(ptr, 8), value);
    }

    @Override
    public void write(int ptr, byte[] data) {
        write(ptr, data, 0, data.length);
    }

    @Override
    public void write(int ptr, byte[] data, int offset, int len) {
        if (offset < 0 || len < 0 || offset + len > data.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", len " + len + " for array of " + data.length);
        }
        memory.write(check(ptr, len), data, offset, len);
    }
}
