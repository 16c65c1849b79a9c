package dev.corral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.corral.ValueType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), Units.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(2), Units.parseDuration("2s"));
        assertEquals(Duration.ofMinutes(1), Units.parseDuration("1m"));
        assertEquals(Duration.ofNanos(250_000), Units.parseDuration("250us"));
        assertEquals(Duration.ofNanos(250_000), Units.parseDuration("250µs"));
        assertEquals(Duration.ofMillis(1500), Units.parseDuration("1.5s"));
        assertEquals(Duration.ofHours(2), Units.parseDuration("2h"));
        for (String bad : new String[] {"", "5", "ms", "-1s", "0s", "1 s", "2sec", "1e3ms", "99999999999999h"}) {
            assertThrows(IllegalArgumentException.class, () -> Units.parseDuration(bad), bad);
        }
    }

    @Test
    void sizes() {
        assertEquals(65536, Units.parseSize("64KiB"));
        assertEquals(16L << 20, Units.parseSize("16MiB"));
        assertEquals(16L << 20, Units.parseSize("16mib"));
        assertEquals(1L << 30, Units.parseSize("1GiB"));
        assertEquals(1000, Units.parseSize("1KB"));
        assertEquals(2_000_000, Units.parseSize("2MB"));
        assertEquals(12345, Units.parseSize("12345"));
        assertEquals(12345, Units.parseSize("12345B"));
        assertEquals(64L << 20, Units.parseSize("64m"));
        for (String bad : new String[] {"", "KiB", "-1", "1.5MiB", "12xB", "99999999999999999GiB"}) {
            assertThrows(IllegalArgumentException.class, () -> Units.parseSize(bad), bad);
        }
    }

    @Test
    void wasmValues() {
        assertEquals(-1L, WasmValues.parse(ValueType.I32, "-1"));
        assertEquals(-1L, WasmValues.parse(ValueType.I32, "0xffffffff"));
        assertEquals(Long.MIN_VALUE, WasmValues.parse(ValueType.I64, "-9223372036854775808"));
        assertEquals(Float.floatToRawIntBits(0.25f), WasmValues.parse(ValueType.F32, "0.25"));
        assertEquals(Double.doubleToRawLongBits(-0.0), WasmValues.parse(ValueType.F64, "-0"));
        assertEquals(Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY), WasmValues.parse(ValueType.F64, "-inf"));
        assertThrows(IllegalArgumentException.class, () -> WasmValues.parse(ValueType.I32, "0x"));
        assertThrows(IllegalArgumentException.class, () -> WasmValues.parse(ValueType.I32, "--1"));
        assertThrows(IllegalArgumentException.class, () -> WasmValues.parse(ValueType.I32, "1_000"));
        assertThrows(IllegalArgumentException.class, () -> WasmValues.parse(ValueType.F64, "1.5f"));
        assertThrows(IllegalArgumentException.class, () -> WasmValues.parse(ValueType.V128, "1"));
    }

    @Test
    void jsonEscaping() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.escape("a\"b\\c\nd\u0001"));
        assertEquals("\"é😀\"", Json.escape("é😀"));
        assertEquals("\"\\ud800x\"", Json.escape("\ud800x"));
        String tricky = "quote\" back\\ tab\t ctl\u001f ls\u2028 end";
        assertEquals(tricky, MiniJson.parse(Json.escape(tricky)));
    }
}
