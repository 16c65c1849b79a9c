package dev.corral.proxywasm.internal;

import java.util.Arrays;

/** A growable byte buffer with the ABI's splice (prepend, append, replace a range). */
public final class ByteBuf {
    private byte[] data;
    private int size;

    public ByteBuf(byte[] initial) {
        this.data = initial.clone();
        this.size = initial.length;
    }

    public int size() {
        return size;
    }

    public byte[] bytes() {
        return Arrays.copyOf(data, size);
    }

    public byte[] range(int start, int len) {
        return Arrays.copyOfRange(data, start, start + len);
    }

    public void append(byte[] more) {
        splice(size, 0, more);
    }

    public void clear() {
        size = 0;
    }

    /** Replaces {@code len} bytes at {@code start} (clamped to the end) with {@code value}. */
    public void splice(long start, long len, byte[] value) {
        int s = (int) Math.min(start, size);
        int e = (int) Math.min(s + Math.max(0, len), size);
        int newSize = Math.addExact(size - (e - s), value.length);
        byte[] out = newSize <= data.length && value.length == e - s ? data : new byte[Math.max(newSize, 16)];
        if (out != data) {
            System.arraycopy(data, 0, out, 0, s);
            System.arraycopy(data, e, out, s + value.length, size - e);
        }
        System.arraycopy(value, 0, out, s, value.length);
        data = out;
        size = newSize;
    }
}
