import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates the module of big/IndirectCallBenchmark: {@code FUNCTIONS} functions of one type
 * {@code (i32) -> i32} (function k returns {@code x * 31 + k}), all in a table, as a Go module has
 * ~1,900 functions of its one type; {@code run(n)} makes n {@code call_indirect}s through the table
 * (entry {@code i * 7 mod FUNCTIONS}), {@code direct(n)} n direct calls of one function, and
 * {@code f0} is exported, for host-to-guest calls. Chicory dispatches such calls through one switch
 * per type whose method is far above HotSpot's 8,000-byte JIT limit unless Corral splits it.
 *
 * <p>Run by the build with the JDK's source launcher: {@code java IndirectModuleGenerator.java OUT_WASM_DIR}.
 */
public final class IndirectModuleGenerator {
    static final int FUNCTIONS = 2_000;

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.write(dir.resolve("indirect.wasm"), module());
    }

    static byte[] module() {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(out, 1, new byte[] {1, 0x60, 1, 0x7f, 1, 0x7f}); // type 0: (i32) -> i32
        var funcs = new ByteArrayOutputStream();
        leb(funcs, FUNCTIONS + 2);
        for (int i = 0; i < FUNCTIONS + 2; i++) {
            funcs.write(0);
        }
        section(out, 3, funcs.toByteArray());
        var table = new ByteArrayOutputStream();
        table.writeBytes(new byte[] {1, 0x70, 0});
        leb(table, FUNCTIONS);
        section(out, 4, table.toByteArray());
        var exports = new ByteArrayOutputStream();
        leb(exports, 3);
        export(exports, "run", FUNCTIONS);
        export(exports, "direct", FUNCTIONS + 1);
        export(exports, "f0", 0);
        section(out, 7, exports.toByteArray());
        var elem = new ByteArrayOutputStream();
        elem.writeBytes(new byte[] {1, 0, 0x41, 0, 0x0b});
        leb(elem, FUNCTIONS);
        for (int i = 0; i < FUNCTIONS; i++) {
            leb(elem, i);
        }
        section(out, 9, elem.toByteArray());
        var code = new ByteArrayOutputStream();
        leb(code, FUNCTIONS + 2);
        for (int k = 0; k < FUNCTIONS; k++) {
            var b = new ByteArrayOutputStream();
            b.writeBytes(new byte[] {0, 0x20, 0, 0x41, 31, 0x6c, 0x41}); // x * 31 + k
            sleb(b, k);
            b.writeBytes(new byte[] {0x6a, 0x0b});
            body(code, b);
        }
        body(code, loop(new byte[] {0x20, 2, 0x20, 1, 0x41, 7, 0x6c, 0x41}, true)); // run
        body(code, loop(new byte[] {0x20, 2, 0x10, 5}, false)); // direct: call f5
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    /** {@code (param n) (local i acc)}: for i < n, acc = call(acc); returns acc. */
    private static ByteArrayOutputStream loop(byte[] call, boolean indirect) {
        var b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {1, 2, 0x7f, 0x02, 0x40, 0x03, 0x40});
        b.writeBytes(new byte[] {0x20, 1, 0x20, 0, 0x4f, 0x0d, 1}); // i >= n: out
        b.writeBytes(call);
        if (indirect) { // (i * 7) mod FUNCTIONS, call_indirect type 0
            sleb(b, FUNCTIONS);
            b.writeBytes(new byte[] {0x70, 0x11, 0, 0});
        }
        b.writeBytes(new byte[] {0x21, 2, 0x20, 1, 0x41, 1, 0x6a, 0x21, 1, 0x0c, 0, 0x0b, 0x0b, 0x20, 2, 0x0b});
        return b;
    }

    private static void body(ByteArrayOutputStream code, ByteArrayOutputStream b) {
        leb(code, b.size());
        code.writeBytes(b.toByteArray());
    }

    private static void export(ByteArrayOutputStream out, String name, int function) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        leb(out, n.length);
        out.writeBytes(n);
        out.write(0);
        leb(out, function);
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] body) {
        out.write(id);
        leb(out, body.length);
        out.writeBytes(body);
    }

    private static void leb(ByteArrayOutputStream out, int v) {
        do {
            int x = v & 0x7f;
            v >>>= 7;
            out.write(v != 0 ? x | 0x80 : x);
        } while (v != 0);
    }

    private static void sleb(ByteArrayOutputStream out, int v) {
        while (true) {
            int x = v & 0x7f;
            v >>= 7;
            if ((v == 0 && (x & 0x40) == 0) || (v == -1 && (x & 0x40) != 0)) {
                out.write(x);
                return;
            }
            out.write(x | 0x80);
        }
    }
}
