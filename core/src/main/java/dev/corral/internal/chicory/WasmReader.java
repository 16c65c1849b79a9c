package dev.corral.internal.chicory;

/**
 * A cursor over a module's bytes for {@link ModuleScanner}: LEB128 integers as Chicory's parser
 * reads them, and lengths checked against what is left. Reads never go past {@code end} (the
 * current section or function body); anything that would is {@link Malformed}.
 */
final class WasmReader {
    /** The module ends where a count or length says it should not: reported as MALFORMED with the position. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    final byte[] b;
    int pos;
    int end;

    WasmReader(byte[] b) {
        this.b = b;
        this.end = b.length;
    }

    int u8() {
        if (pos >= end) {
            throw new Malformed("unexpected end");
        }
        return b[pos++] & 0xFF;
    }

    int peek() {
        if (pos >= end) {
            throw new Malformed("unexpected end");
        }
        return b[pos] & 0xFF;
    }

    void skip(int n) {
        if (n > end - pos) {
            throw new Malformed("unexpected end");
        }
        pos += n;
    }

    long u32() {
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            int x = u8();
            if (shift == 28 && (x & 0x70) != 0) {
                throw new Malformed("integer too large");
            }
            result |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return result;
            }
            if (shift == 28) {
                throw new Malformed("integer representation too long");
            }
        }
    }

    /** A signed LEB of at most {@code bits} bits, sign-extended. */
    long s(int bits) {
        long result = 0;
        int shift = 0;
        int x;
        int maxBytes = (bits + 6) / 7;
        do {
            if (shift / 7 >= maxBytes) {
                throw new Malformed("integer representation too long");
            }
            x = u8();
            result |= (long) (x & 0x7F) << shift;
            shift += 7;
        } while ((x & 0x80) != 0);
        if (shift < 64 && (x & 0x40) != 0) {
            result |= -1L << shift;
        }
        return result;
    }

    /** A length-prefixed byte string (a name or a segment's bytes), checked against what is left. */
    void bytes(String what) {
        long n = u32();
        if (n > end - pos) {
            throw new Malformed(what + " of " + n + " bytes, but only " + (end - pos) + " remain");
        }
        pos += (int) n;
    }

    /** A name: checked against what is left, not decoded (Chicory does that). */
    void name(String what) {
        bytes(what);
    }
}
