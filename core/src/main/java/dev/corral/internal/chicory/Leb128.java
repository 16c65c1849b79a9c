package dev.corral.internal.chicory;

import java.io.ByteArrayOutputStream;

/** The LEB128 integers of the wasm binary format. */
final class Leb128 {
    private Leb128() {}

    /** Reads an unsigned 32-bit LEB at {@code pos[0]}, advancing it. */
    static long readU32(byte[] b, int[] pos) {
        long result = 0;
        int shift = 0;
        while (true) {
            if (pos[0] >= b.length) {
                throw new IllegalArgumentException("truncated LEB128 at " + pos[0]);
            }
            int x = b[pos[0]++] & 0xFF;
            result |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
            shift += 7;
            if (shift > 28 + 7) {
                throw new IllegalArgumentException("LEB128 too long at " + pos[0]);
            }
        }
    }

    /** Reads a signed LEB of at most 33 bits (a block type's type index) at {@code pos[0]}, advancing it. */
    static long readS33(byte[] b, int[] pos) {
        long result = 0;
        int shift = 0;
        int x;
        do {
            if (pos[0] >= b.length || shift > 35) {
                throw new IllegalArgumentException("bad LEB128 at " + pos[0]);
            }
            x = b[pos[0]++] & 0xFF;
            result |= (long) (x & 0x7F) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        if (shift < 64 && (x & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    static void writeU32(ByteArrayOutputStream out, long value) {
        do {
            int x = (int) (value & 0x7F);
            value >>>= 7;
            if (value != 0) {
                x |= 0x80;
            }
            out.write(x);
        } while (value != 0);
    }

    static void writeS64(ByteArrayOutputStream out, long value) {
        boolean more = true;
        while (more) {
            int x = (int) (value & 0x7F);
            value >>= 7;
            if ((value == 0 && (x & 0x40) == 0) || (value == -1 && (x & 0x40) != 0)) {
                more = false;
            } else {
                x |= 0x80;
            }
            out.write(x);
        }
    }
}
