package dev.corral;

import java.util.List;

/** The values a wasm function returned, typed by its signature. */
public final class Results {
    private final List<ValueType> types;
    private final long[] raw;

    public Results(List<ValueType> types, long[] raw) {
        this.types = types;
        this.raw = raw == null ? new long[0] : raw;
        if (this.raw.length != types.size()) {
            throw new IllegalArgumentException("expected " + types.size() + " results, got " + this.raw.length);
        }
    }

    public int size() {
        return raw.length;
    }

    public ValueType type(int i) {
        return types.get(i);
    }

    public int getInt(int i) {
        expect(i, ValueType.I32);
        return (int) raw[i];
    }

    public long getLong(int i) {
        expect(i, ValueType.I64);
        return raw[i];
    }

    public float getFloat(int i) {
        expect(i, ValueType.F32);
        return Float.intBitsToFloat((int) raw[i]);
    }

    public double getDouble(int i) {
        expect(i, ValueType.F64);
        return Double.longBitsToDouble(raw[i]);
    }

    /** The value as a boxed Java number of its wasm type (Integer, Long, Float, Double), else the raw bits. */
    public Object get(int i) {
        switch (types.get(i)) {
            case I32: return (int) raw[i];
            case I64: return raw[i];
            case F32: return Float.intBitsToFloat((int) raw[i]);
            case F64: return Double.longBitsToDouble(raw[i]);
            default: return raw[i];
        }
    }

    /** Raw bits, as they left the guest. */
    public long[] raw() {
        return raw.clone();
    }

    private void expect(int i, ValueType t) {
        if (types.get(i) != t) {
            throw new IllegalStateException("result " + i + " is " + types.get(i).watName() + ", not " + t.watName());
        }
    }

    /** Space-separated, floats in Java's shortest form: {@code 3 0.25 -7}. */
    @Override
    public String toString() {
        var sb = new StringBuilder();
        for (int i = 0; i < raw.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(get(i));
        }
        return sb.toString();
    }
}
