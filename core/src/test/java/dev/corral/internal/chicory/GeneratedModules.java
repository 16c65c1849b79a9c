package dev.corral.internal.chicory;

import java.io.ByteArrayOutputStream;
import java.util.Random;

/**
 * Generates modules with very large functions, the shapes real toolchains emit: an interpreter
 * loop ({@code loop} around a nest of blocks with a {@code br_table}, an arm per opcode) and a
 * long straight-line initializer. Deterministic for a given seed.
 */
final class GeneratedModules {
    private GeneratedModules() {}

    /**
     * One module exporting {@code run (i32 steps, i32 seed) -> i64}, an interpreter loop with
     * {@code arms} arms of about {@code armInstructions} instructions each, and {@code init (i32)
     * -> i64}, {@code initStatements} statements of straight-line code.
     */
    static byte[] bigFunctions(int arms, int armInstructions, int initStatements, long seed) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        // types: 0 = (i32 i32) -> i64, 1 = (i32) -> i64
        section(out, 1, new byte[] {2, 0x60, 2, 0x7F, 0x7F, 1, 0x7E, 0x60, 1, 0x7F, 1, 0x7E});
        section(out, 3, new byte[] {2, 0, 1});
        section(out, 5, new byte[] {1, 0, 1}); // memory 1
        var exports = new ByteArrayOutputStream();
        exports.write(2);
        name(exports, "run");
        exports.writeBytes(new byte[] {0, 0});
        name(exports, "init");
        exports.writeBytes(new byte[] {0, 1});
        section(out, 7, exports.toByteArray());
        var code = new ByteArrayOutputStream();
        code.write(2);
        sized(code, interpreter(arms, armInstructions, new Random(seed)));
        sized(code, straightLine(initStatements, new Random(seed + 1)));
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    // locals of run: 0 steps, 1 seed (params), 2 op, 3 acc (i64), 4 a, 5 b, 6 f (f64)
    private static final int STEPS = 0;
    private static final int X = 1;
    private static final int OP = 2;
    private static final int ACC = 3;
    private static final int A = 4;
    private static final int B = 5;
    private static final int F = 6;

    private static byte[] interpreter(int arms, int armInstructions, Random r) {
        var b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {4, 1, 0x7F, 1, 0x7E, 2, 0x7F, 1, 0x7C}); // op; acc; a, b; f
        b.writeBytes(new byte[] {0x02, 0x40, 0x03, 0x40}); // block $done, loop $next
        // if steps == 0: br $done; steps -= 1
        get(b, STEPS);
        b.writeBytes(new byte[] {0x45, 0x0D, 0x01});
        get(b, STEPS);
        b.writeBytes(new byte[] {0x41, 0x01, 0x6B});
        set(b, STEPS);
        // x = x * 1103515245 + 12345; op = (x >>> 16) % arms
        get(b, X);
        i32(b, 1103515245);
        b.write(0x6C);
        i32(b, 12345);
        b.write(0x6A);
        set(b, X);
        get(b, X);
        i32(b, 16);
        b.write(0x76);
        i32(b, arms);
        b.write(0x70);
        set(b, OP);
        for (int k = 0; k < arms; k++) {
            b.writeBytes(new byte[] {0x02, 0x40});
        }
        get(b, OP);
        b.write(0x0E);
        Leb128.writeU32(b, arms);
        for (int k = 0; k < arms; k++) {
            Leb128.writeU32(b, k);
        }
        Leb128.writeU32(b, 0);
        for (int k = 0; k < arms; k++) {
            b.write(0x0B); // end of the arm's block: its code follows
            arm(b, armInstructions, r);
            // every arm but one in eight goes round again; the others fall into the next arm
            if (k % 8 != 3) {
                b.write(0x0C);
                Leb128.writeU32(b, arms - 1 - k + 0); // to $next: past the arms' blocks still open
            }
        }
        b.writeBytes(new byte[] {0x0C, 0x00}); // the last arm's fall-through: round again
        b.writeBytes(new byte[] {0x0B, 0x0B}); // end loop, end block
        get(b, ACC);
        get(b, A);
        b.writeBytes(new byte[] {(byte) 0xAD, 0x7C}); // i64.extend_i32_u, add
        get(b, F);
        b.writeBytes(new byte[] {(byte) 0xB0, 0x7C, 0x0B}); // i64.trunc_f64_s, add, end
        return b.toByteArray();
    }

    /** A run of arithmetic on the locals: each statement reads two, computes, stores one. */
    private static void arm(ByteArrayOutputStream b, int instructions, Random r) {
        int emitted = 0;
        while (emitted < instructions) {
            switch (r.nextInt(6)) {
                case 0: // a = a op b
                    get(b, A);
                    get(b, B);
                    b.write(new int[] {0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73}[r.nextInt(6)]);
                    set(b, A);
                    emitted += 4;
                    break;
                case 1: // b = b + x ^ const
                    get(b, B);
                    get(b, X);
                    i32(b, r.nextInt(1000));
                    b.writeBytes(new byte[] {0x73, 0x6A});
                    set(b, B);
                    emitted += 6;
                    break;
                case 2: // acc = acc + extend(a) * const
                    get(b, ACC);
                    get(b, A);
                    b.write(0xAD);
                    b.write(0x42);
                    Leb128.writeS64(b, r.nextInt(50) + 1);
                    b.writeBytes(new byte[] {0x7E, 0x7C});
                    set(b, ACC);
                    emitted += 7;
                    break;
                case 3: // f = f * 0.5 + convert(b)
                    get(b, F);
                    b.write(0x44);
                    b.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xE0, 0x3F});
                    b.write(0xA2);
                    get(b, B);
                    b.writeBytes(new byte[] {(byte) 0xB8, (byte) 0xA0}); // f64.convert_i32_u, add
                    set(b, F);
                    emitted += 7;
                    break;
                case 4: // if (a & 1) b = b + 7 else a = a >>> 1
                    get(b, A);
                    b.writeBytes(new byte[] {0x41, 0x01, 0x71, 0x04, 0x40});
                    get(b, B);
                    b.writeBytes(new byte[] {0x41, 0x07, 0x6A});
                    set(b, B);
                    b.write(0x05);
                    get(b, A);
                    b.writeBytes(new byte[] {0x41, 0x01, 0x76});
                    set(b, A);
                    b.write(0x0B);
                    emitted += 13;
                    break;
                default: // memory: store a at (b & 1020), load it back into b
                    get(b, B);
                    i32(b, 1020);
                    b.write(0x71);
                    get(b, A);
                    b.writeBytes(new byte[] {0x36, 0x02, 0x00}); // i32.store
                    get(b, B);
                    i32(b, 1020);
                    b.writeBytes(new byte[] {0x71, 0x28, 0x02, 0x00}); // i32.load
                    set(b, B);
                    emitted += 9;
                    break;
            }
        }
    }

    /** {@code statements} statements on two locals, no control flow at all. */
    private static byte[] straightLine(int statements, Random r) {
        var b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {1, 1, 0x7E}); // one i64 local (1)
        for (int k = 0; k < statements; k++) {
            b.writeBytes(new byte[] {0x20, 0x01, 0x20, 0x00, (byte) 0xAD, 0x42});
            Leb128.writeS64(b, r.nextInt(1 << 20));
            b.writeBytes(new byte[] {0x7E, 0x7C, 0x21, 0x01}); // acc = acc + extend(p) * c
            b.writeBytes(new byte[] {0x20, 0x00, 0x41});
            Leb128.writeS64(b, r.nextInt(1 << 12));
            b.writeBytes(new byte[] {0x73, 0x21, 0x00}); // p ^= c
        }
        b.writeBytes(new byte[] {0x20, 0x01, 0x0B});
        return b.toByteArray();
    }

    private static void get(ByteArrayOutputStream b, int local) {
        b.write(0x20);
        b.write(local);
    }

    private static void set(ByteArrayOutputStream b, int local) {
        b.write(0x21);
        b.write(local);
    }

    /**
     * For the dispatch splitter: {@code n} functions {@code (i32) -> i32} after two imported ones
     * of the same type ({@code env.h0}, {@code env.h1}); function j returns its argument plus j. All of them are in a table; "run"(k) calls entry i mod size
     * for i < k by call_indirect and sums; "f_j" exports a few directly.
     */
    static byte[] manyFunctionsOfOneType(int n) {
        int imports = 2;
        int total = imports + n;
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        section(out, 1, new byte[] {1, 0x60, 1, 0x7f, 1, 0x7f});
        var importSection = new ByteArrayOutputStream();
        Leb128.writeU32(importSection, imports);
        for (int i = 0; i < imports; i++) {
            name(importSection, "env");
            name(importSection, "h" + i);
            importSection.writeBytes(new byte[] {0, 0});
        }
        section(out, 2, importSection.toByteArray());
        var funcs = new ByteArrayOutputStream();
        Leb128.writeU32(funcs, n + 1);
        for (int i = 0; i <= n; i++) {
            funcs.write(0);
        }
        section(out, 3, funcs.toByteArray());
        var table = new ByteArrayOutputStream();
        table.writeBytes(new byte[] {1, 0x70, 0});
        Leb128.writeU32(table, total);
        section(out, 4, table.toByteArray());
        var exports = new ByteArrayOutputStream();
        int[] direct = {imports, imports + n / 2, imports + n - 1};
        Leb128.writeU32(exports, 1 + direct.length);
        name(exports, "run");
        exports.write(0);
        Leb128.writeU32(exports, total);
        for (int f : direct) {
            name(exports, "f_" + f);
            exports.write(0);
            Leb128.writeU32(exports, f);
        }
        section(out, 7, exports.toByteArray());
        var elem = new ByteArrayOutputStream();
        elem.writeBytes(new byte[] {1, 0, 0x41, 0, 0x0b});
        Leb128.writeU32(elem, total);
        for (int i = 0; i < total; i++) {
            Leb128.writeU32(elem, i);
        }
        section(out, 9, elem.toByteArray());
        var code = new ByteArrayOutputStream();
        Leb128.writeU32(code, n + 1);
        for (int i = 0; i < n; i++) {
            var b = new ByteArrayOutputStream();
            b.writeBytes(new byte[] {0, 0x20, 0, 0x41});
            Leb128.writeS64(b, imports + i);
            b.writeBytes(new byte[] {0x6a, 0x0b});
            sized(code, b.toByteArray());
        }
        var run = new ByteArrayOutputStream();
        run.writeBytes(new byte[] {1, 2, 0x7f}); // locals i, acc
        run.writeBytes(new byte[] {0x02, 0x40, 0x03, 0x40}); // block loop
        run.writeBytes(new byte[] {0x20, 1, 0x20, 0, 0x4f, 0x0d, 1}); // i >= k: br_if out
        run.writeBytes(new byte[] {0x20, 2, 0x20, 1, 0x41});
        Leb128.writeS64(run, total);
        run.writeBytes(new byte[] {0x70, 0x11, 0, 0, 0x21, 2}); // i32.rem_u, call_indirect type 0 table 0, set acc
        run.writeBytes(new byte[] {0x20, 1, 0x41, 1, 0x6a, 0x21, 1, 0x0c, 0, 0x0b, 0x0b, 0x20, 2, 0x0b});
        sized(code, run.toByteArray());
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    private static void i32(ByteArrayOutputStream b, int v) {
        b.write(0x41);
        Leb128.writeS64(b, v);
    }

    private static void name(ByteArrayOutputStream out, String s) {
        Leb128.writeU32(out, s.length());
        out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void sized(ByteArrayOutputStream out, byte[] body) {
        Leb128.writeU32(out, body.length);
        out.writeBytes(body);
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        Leb128.writeU32(out, content.length);
        out.writeBytes(content);
    }
}
