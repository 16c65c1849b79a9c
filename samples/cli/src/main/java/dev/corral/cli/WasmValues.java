package dev.corral.cli;

import dev.corral.ValueType;
import java.math.BigInteger;
import java.util.Locale;

/** Turns command-line words into raw wasm values of a given type. */
final class WasmValues {
    private static final BigInteger I32_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger U32_MAX = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    private static final BigInteger I64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private WasmValues() {}

    /**
     * Integers: decimal or {@code 0x} hex, signed, or unsigned up to the type's width (so
     * {@code 4294967295} is the i32 {@code -1}, as wasm sees the same bits). Floats: decimal or
     * scientific notation, {@code nan}, {@code inf}, {@code -inf}. The result is the raw bits
     * {@link dev.corral.PluginFunction#callRaw} takes.
     *
     * @throws IllegalArgumentException with a message naming the expected type
     */
    static long parse(ValueType type, String word) {
        switch (type) {
            case I32:
                return (int) integer(word, I32_MIN, U32_MAX, type).longValue();
            case I64:
                return integer(word, I64_MIN, U64_MAX, type).longValue();
            case F32:
                return Float.floatToRawIntBits((float) floating(word, type, true)) & 0xFFFF_FFFFL;
            case F64:
                return Double.doubleToRawLongBits(floating(word, type, false));
            default:
                throw new IllegalArgumentException("parameters of type " + type.watName() + " cannot be given on the command line");
        }
    }

    private static BigInteger integer(String word, BigInteger min, BigInteger max, ValueType type) {
        String s = word.trim();
        boolean negative = s.startsWith("-");
        String digits = negative || s.startsWith("+") ? s.substring(1) : s;
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
            radix = 16;
        }
        final int r = radix;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> Character.digit(c, r) >= 0)) {
            throw notA(type, word);
        }
        BigInteger v = new BigInteger(digits, radix);
        if (negative) {
            v = v.negate();
        }
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException("'" + word + "' is out of range for " + type.watName());
        }
        return v;
    }

    private static double floating(String word, ValueType type, boolean single) {
        String s = word.trim().toLowerCase(Locale.ROOT);
        String unsigned = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        double sign = s.startsWith("-") ? -1.0 : 1.0;
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        // Java also accepts suffixes (1.5f, 2d) and hex floats; a CLI should take plain numbers only
        if (!unsigned.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
            throw notA(type, word);
        }
        return single ? Float.parseFloat(s) : Double.parseDouble(s);
    }

    private static IllegalArgumentException notA(ValueType type, String word) {
        return new IllegalArgumentException("'" + word + "' is not an " + type.watName() + example(type));
    }

    private static String example(ValueType type) {
        switch (type) {
            case I32:
            case I64: return " (e.g. 42, -7, 0xff)";
            default: return " (e.g. 1.5, -0.25, 1e-3, nan, inf)";
        }
    }
}
