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
     * A read-only, little-endian buffer over exactly {@code len} bytes at {@code ptr}, for reading
     * guest data in place. A plugin's memory is viewed without a copy (and so without the
     * policy's {@code maxGuestTransfer} bound), except a shared (threads) memory, which is copied.
     *
     * <p>Valid only during the host call it was obtained in: the view is live, so the guest's
     * later writes show through it, and after the guest grows its memory the view no longer
     * follows it. Copy what you keep. It never reaches outside the range it was made for.
     */
    default ByteBuffer readOnlyView(int ptr, int len) {
        return ByteBuffer.wrap(read(ptr, len)).asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
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
