package dev.corral.benchmarks.pool;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/**
 * Writes, as bytes, a module with {@code dataBytes} of initialized data (one active segment of
 * pseudo-random, non-zero bytes: real data, not zeros a snapshot could skip) and two exports,
 * {@code noop} and {@code read(i32) -> i32}. Generated here rather than committed as a 1 MiB file.
 */
final class DataModule {
    private DataModule() {}

    static byte[] withData(int dataBytes) {
        int pages = dataBytes / 65536 + 1;
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        // types: 0 = () -> (), 1 = (i32) -> (i32)
        section(out, 1, bytes(2, 0x60, 0, 0, 0x60, 1, 0x7f, 1, 0x7f));
        section(out, 3, bytes(2, 0, 1)); // functions
        var mem = new ByteArrayOutputStream();
        mem.write(1);
        mem.write(1); // min and max
        leb(mem, pages);
        leb(mem, pages);
        section(out, 5, mem.toByteArray());
        var exports = new ByteArrayOutputStream();
        exports.write(3);
        name(exports, "noop");
        exports.write(0);
        exports.write(0);
        name(exports, "read");
        exports.write(0);
        exports.write(1);
        name(exports, "memory");
        exports.write(2);
        exports.write(0);
        section(out, 7, exports.toByteArray());
        // code: noop = end; read = local.get 0; i32.load8_u; end
        var code = new ByteArrayOutputStream();
        code.write(2);
        code.writeBytes(bytes(2, 0, 0x0b));
        code.writeBytes(bytes(7, 0, 0x20, 0, 0x2d, 0, 0, 0x0b));
        section(out, 10, code.toByteArray());
        var data = new ByteArrayOutputStream();
        data.write(1);
        data.writeBytes(bytes(0, 0x41, 0, 0x0b)); // memory 0, offset i32.const 0
        leb(data, dataBytes);
        byte[] payload = new byte[dataBytes];
        new Random(42).nextBytes(payload);
        for (int i = 0; i < payload.length; i++) {
            payload[i] |= 1;
        }
        data.writeBytes(payload);
        section(out, 11, data.toByteArray());
        return out.toByteArray();
    }

    private static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = (byte) b[i];
        }
        return r;
    }

    private static void name(ByteArrayOutputStream out, String s) {
        leb(out, s.length());
        out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] body) {
        out.write(id);
        leb(out, body.length);
        out.writeBytes(body);
    }

    private static void leb(ByteArrayOutputStream out, int v) {
        do {
            int b = v & 0x7f;
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
    }
}
