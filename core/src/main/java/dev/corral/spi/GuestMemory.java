package dev.corral.spi;

import dev.corral.GuestMemoryException;
import java.nio.ByteBuffer;

/**
 * A plugin's linear memory as the host sees it. Pointers and lengths come from the guest and are
 * untrusted: pointers are unsigned 32-bit offsets, and every access is checked against the
 * memory's current size. A bad access throws {@link GuestMemoryException}, which ends the guest's
 * call with a clear error; it never touches host memory.
 */
public interface GuestMemory {
    /** Current size in bytes. */
    long size();

    /** Current size in 64 KiB pages. */
    int pages();

    byte readByte(int ptr);

    int readInt(int ptr);

    long readLong(int ptr);

    /** Copies {@code len} bytes out of the guest. */
    byte[] read(int ptr, int len);

    /**
     * A read-only buffer over {@code len} bytes at {@code ptr}, valid only until the guest runs
     * again. Chicory's paged memory cannot be viewed in place, so this default copies; a memory
     * of Corral's own can override it with a true zero-copy view.
     */
    default ByteBuffer readOnlyView(int ptr, int len) {
        return ByteBuffer.wrap(read(ptr, len)).asReadOnlyBuffer();
    }

    /**
     * Decodes {@code len} bytes of strict UTF-8; malformed input is a {@link GuestMemoryException},
     * never silently replaced.
     */
    String readString(int ptr, int len);

    void writeByte(int ptr, byte value);

    void writeInt(int ptr, int value);

    void writeLong(int ptr, long value);

    void write(int ptr, byte[] data);

    void write(int ptr, byte[] data, int offset, int len);
}
