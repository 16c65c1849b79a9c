package dev.corral.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for the human units the options take: {@code 500ms}, {@code 2s}, {@code 64KiB}, {@code 16MiB}. */
final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([a-z]*)");

    private Units() {}

    /** A positive duration with a unit: ns, us (or µs), ms, s, m, h; fractions allowed ({@code 1.5s}). */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; use a number and a unit, e.g. 500ms, 2s, 1m, 250us");
        }
        long nanosPerUnit;
        switch (m.group(2)) {
            case "ns": nanosPerUnit = 1L; break;
            case "us":
            case "µs": nanosPerUnit = 1_000L; break;
            case "ms": nanosPerUnit = 1_000_000L; break;
            case "s": nanosPerUnit = 1_000_000_000L; break;
            case "m": nanosPerUnit = 60_000_000_000L; break;
            default: nanosPerUnit = 3_600_000_000_000L; break;
        }
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("duration '" + text + "' is too long");
        }
        long n = nanos.longValue();
        if (n <= 0) {
            throw new IllegalArgumentException("duration '" + text + "' must be positive");
        }
        return Duration.ofNanos(n);
    }

    /**
     * A size in bytes: plain bytes ({@code 65536} or {@code 65536B}), binary units KiB, MiB, GiB
     * (also K, M, G as in {@code -Xmx}), or decimal units KB, MB, GB. Case-insensitive.
     */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; use bytes or a unit, e.g. 65536, 64KiB, 16MiB, 1GiB");
        }
        long unit;
        switch (m.group(2)) {
            case "":
            case "b": unit = 1L; break;
            case "k":
            case "kib": unit = 1L << 10; break;
            case "m":
            case "mib": unit = 1L << 20; break;
            case "g":
            case "gib": unit = 1L << 30; break;
            case "kb": unit = 1_000L; break;
            case "mb": unit = 1_000_000L; break;
            case "gb": unit = 1_000_000_000L; break;
            default:
                throw new IllegalArgumentException("unknown size unit in '" + text + "'; use B, KiB, MiB, GiB, KB, MB or GB");
        }
        long value;
        try {
            value = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        return value;
    }

    /** A positive whole number of fuel units: {@code 1000000}, {@code 1_000_000}. */
    static long parseFuel(String text) {
        long n;
        try {
            n = Long.parseLong(text.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number of fuel units; use a positive whole number, e.g. 1000000");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--fuel must be a positive number of units, got " + text);
        }
        return n;
    }

    static final class FuelConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseFuel(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
