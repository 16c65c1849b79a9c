package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.CustomSection;
import com.dylibso.chicory.wasm.types.NameCustomSection;

/**
 * Chicory's parser for the "name" section, behind a check. Chicory reads each name into an array
 * of the length the section declares before looking at the bytes left, and inserts every entry
 * into a sorted list (quadratic in the entries when they come in reverse order): a name section
 * of a few MB could exhaust the heap or keep a load busy for hours. Names are debug information,
 * so a section that is not well-formed (a length past its end, indices not in increasing order,
 * as the spec requires) is dropped rather than failing the load, as other engines do.
 */
final class NameSection {
    private static final byte[] EMPTY = new byte[0];

    private NameSection() {}

    static CustomSection parse(byte[] bytes) {
        return NameCustomSection.parse(wellFormed(bytes) ? bytes : EMPTY);
    }

    static boolean wellFormed(byte[] b) {
        try {
            int[] pos = {0};
            while (pos[0] < b.length) {
                int id = b[pos[0]++] & 0xFF;
                long size = Leb128.readU32(b, pos);
                if (size > b.length - pos[0]) {
                    return false;
                }
                int end = pos[0] + (int) size;
                switch (id) {
                    case 0:
                        if (!name(b, pos, end)) {
                            return false;
                        }
                        break;
                    case 1: case 5: case 6: case 7: case 8: case 9: case 11:
                        if (!nameMap(b, pos, end)) {
                            return false;
                        }
                        break;
                    case 2: case 3: {
                        long groups = Leb128.readU32(b, pos);
                        long last = -1;
                        for (long g = 0; g < groups; g++) {
                            long idx = Leb128.readU32(b, pos);
                            if (idx <= last || pos[0] > end || !nameMap(b, pos, end)) {
                                return false;
                            }
                            last = idx;
                        }
                        break;
                    }
                    default:
                        break; // Chicory skips subsections it does not know
                }
                if (pos[0] > end) {
                    return false;
                }
                pos[0] = end;
            }
            return true;
        } catch (IllegalArgumentException e) { // a LEB past the end
            return false;
        }
    }

    /** A vector of (index, name), indices strictly increasing, within {@code end}. */
    private static boolean nameMap(byte[] b, int[] pos, int end) {
        long n = Leb128.readU32(b, pos);
        if (n > end - pos[0]) {
            return false;
        }
        long last = -1;
        for (long i = 0; i < n; i++) {
            long idx = Leb128.readU32(b, pos);
            if (idx <= last || !name(b, pos, end)) {
                return false;
            }
            last = idx;
        }
        return pos[0] <= end;
    }

    private static boolean name(byte[] b, int[] pos, int end) {
        long len = Leb128.readU32(b, pos);
        if (len > end - pos[0]) {
            return false;
        }
        pos[0] += (int) len;
        return true;
    }
}
