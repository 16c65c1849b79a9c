package dev.corral.proxywasm.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ABI's serialized map ("Maps with HTTP fields"): a 32-bit count, then (name length, value
 * length) pairs, then each name and value followed by a NUL. Little-endian. Strings are Latin-1:
 * one char per byte, so whatever bytes a filter wrote come back unchanged.
 */
final class Pairs {
    private Pairs() {}

    static byte[] serialize(List<String[]> pairs) {
        int size = 4;
        for (String[] p : pairs) {
            size += 8 + p[0].length() + 1 + p[1].length() + 1;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(pairs.size());
        for (String[] p : pairs) {
            b.putInt(p[0].length()).putInt(p[1].length());
        }
        for (String[] p : pairs) {
            b.put(p[0].getBytes(StandardCharsets.ISO_8859_1)).put((byte) 0);
            b.put(p[1].getBytes(StandardCharsets.ISO_8859_1)).put((byte) 0);
        }
        return b.array();
    }

    static int serializedSize(List<String[]> pairs) {
        int size = 4;
        for (String[] p : pairs) {
            size += 8 + p[0].length() + 1 + p[1].length() + 1;
        }
        return size;
    }

    /**
     * Parses a serialized map; an empty input (or a lone NUL) is the empty map.
     *
     * @throws IllegalArgumentException if the bytes do not hold a well-formed map
     */
    static List<String[]> parse(byte[] data) {
        List<String[]> out = new ArrayList<>();
        if (data.length == 0 || (data.length == 1 && data[0] == 0)) {
            return out;
        }
        if (data.length < 4) {
            throw new IllegalArgumentException("serialized map shorter than its count");
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        long count = Integer.toUnsignedLong(b.getInt());
        if (count > (data.length - 4) / 10) { // each pair needs 8 length bytes and 2 NULs at least
            throw new IllegalArgumentException("serialized map claims " + count + " pairs in " + data.length + " bytes");
        }
        int[] lens = new int[(int) count * 2];
        for (int i = 0; i < lens.length; i++) {
            lens[i] = b.getInt();
        }
        int pos = b.position();
        for (int i = 0; i < count; i++) {
            String k = take(data, pos, lens[2 * i]);
            pos += lens[2 * i] + 1;
            String v = take(data, pos, lens[2 * i + 1]);
            pos += lens[2 * i + 1] + 1;
            out.add(new String[] {k, v});
        }
        return out;
    }

    private static String take(byte[] data, int pos, int len) {
        if (len < 0 || pos < 0 || (long) pos + len + 1 > data.length || data[pos + len] != 0) {
            throw new IllegalArgumentException("serialized map entry out of bounds or not NUL-terminated");
        }
        return new String(data, pos, len, StandardCharsets.ISO_8859_1);
    }
}
