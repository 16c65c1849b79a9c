import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates the large module of big/GeneratedModuleBenchmark and the same program in plain Java,
 * from one description, so both compute the same value: an interpreter loop (a `loop` around a
 * nest of blocks with a `br_table`, one arm per opcode, some arms falling into the next, as C
 * compilers emit a `switch` in a loop) whose arms do integer, floating-point and memory work and
 * call small helper functions. Deterministic (fixed seed).
 *
 * <p>Run by the build with the JDK's source launcher (no compile step of its own):
 * {@code java BigModuleGenerator.java OUT_WASM_DIR OUT_JAVA_DIR}. The Java side is what a Java
 * author would write for the same program: a `switch` calling one method per arm (a method of its
 * own per arm is forced anyway: javac refuses a method above 64 KB).
 */
public final class BigModuleGenerator {
    static final int ARMS = 400;
    static final int ARM_STATEMENTS = 40;
    static final int HELPERS = 48;
    static final long SEED = 20261129L;

    // locals of run: 0 steps, 1 x (params), 2 op, 3 acc (i64), 4 a, 5 b, 6 f (f64)
    static final int STEPS = 0, X = 1, OP = 2, ACC = 3, A = 4, B = 5, F = 6;

    /** One statement of an arm: a kind and its constants. */
    record Stmt(int kind, int p, int q) {}

    /** A helper (i32 a, i32 b) -> i32: (a * c + b) ^ rotl(b, s) or (a * c + b) ^ (b >>> s). */
    record Helper(int c, int s, boolean rotate) {}

    public static void main(String[] args) throws IOException {
        Random r = new Random(SEED);
        List<Helper> helpers = new ArrayList<>();
        for (int h = 0; h < HELPERS; h++) {
            helpers.add(new Helper(r.nextInt() | 1, 1 + r.nextInt(31), r.nextBoolean()));
        }
        List<List<Stmt>> arms = new ArrayList<>();
        for (int k = 0; k < ARMS; k++) {
            List<Stmt> arm = new ArrayList<>();
            for (int i = 0; i < ARM_STATEMENTS; i++) {
                int kind = r.nextInt(7);
                arm.add(new Stmt(kind, kind == 0 ? r.nextInt(6) : kind == 6 ? r.nextInt(HELPERS) : r.nextInt(1000), 1 + r.nextInt(50)));
            }
            arms.add(arm);
        }
        Path wasmDir = Path.of(args[0]);
        Path javaDir = Path.of(args[1]).resolve("dev/corral/benchmarks/big");
        Files.createDirectories(wasmDir);
        Files.createDirectories(javaDir);
        Files.write(wasmDir.resolve("big-generated.wasm"), wasm(helpers, arms));
        Files.writeString(javaDir.resolve("BigModuleJava.java"), java(helpers, arms));
    }

    static boolean fallsThrough(int k) {
        return k % 8 == 3;
    }

    // ---- the wasm module ----

    static byte[] wasm(List<Helper> helpers, List<List<Stmt>> arms) {
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        // types: 0 = (i32 i32) -> i64 (run), 1 = (i32 i32) -> i32 (helpers)
        section(out, 1, new byte[] {2, 0x60, 2, 0x7F, 0x7F, 1, 0x7E, 0x60, 2, 0x7F, 0x7F, 1, 0x7F});
        var funcs = new ByteArrayOutputStream();
        u32(funcs, 1 + helpers.size());
        funcs.write(0);
        for (int h = 0; h < helpers.size(); h++) {
            funcs.write(1);
        }
        section(out, 3, funcs.toByteArray());
        section(out, 5, new byte[] {1, 1, 1, 1}); // memory 1, max 1
        var exports = new ByteArrayOutputStream();
        exports.write(1);
        name(exports, "run");
        exports.writeBytes(new byte[] {0, 0});
        section(out, 7, exports.toByteArray());
        var code = new ByteArrayOutputStream();
        u32(code, 1 + helpers.size());
        sized(code, run(arms));
        for (Helper h : helpers) {
            sized(code, helper(h));
        }
        section(out, 10, code.toByteArray());
        return out.toByteArray();
    }

    static byte[] helper(Helper h) {
        var b = new ByteArrayOutputStream();
        b.write(0); // no locals
        get(b, 0);
        i32(b, h.c());
        b.write(0x6C); // mul
        get(b, 1);
        b.write(0x6A); // add
        get(b, 1);
        i32(b, h.s());
        b.write(h.rotate() ? 0x77 : 0x76); // rotl or shr_u
        b.write(0x73); // xor
        b.write(0x0B);
        return b.toByteArray();
    }

    static byte[] run(List<List<Stmt>> arms) {
        int n = arms.size();
        var b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {4, 1, 0x7F, 1, 0x7E, 2, 0x7F, 1, 0x7C}); // op; acc; a, b; f
        // the scratch words start at zero on every call, as Java's new int[256] does: op counts 0..1020
        b.writeBytes(new byte[] {0x41, 0x00, 0x21, OP, 0x03, 0x40, 0x20, OP, 0x41, 0x00, 0x36, 0x02, 0x00,
            0x20, OP, 0x41, 0x04, 0x6A, 0x22, OP, 0x41, (byte) 0x80, 0x08, 0x49, 0x0D, 0x00, 0x0B});
        b.writeBytes(new byte[] {0x02, 0x40, 0x03, 0x40}); // block $done, loop $next
        get(b, STEPS);
        b.writeBytes(new byte[] {0x45, 0x0D, 0x01}); // if steps == 0: br $done
        get(b, STEPS);
        b.writeBytes(new byte[] {0x41, 0x01, 0x6B});
        set(b, STEPS);
        get(b, X);
        i32(b, 1103515245);
        b.write(0x6C);
        i32(b, 12345);
        b.write(0x6A);
        set(b, X);
        get(b, X);
        i32(b, 16);
        b.write(0x76);
        i32(b, n);
        b.write(0x70); // rem_u
        set(b, OP);
        for (int k = 0; k < n; k++) {
            b.writeBytes(new byte[] {0x02, 0x40});
        }
        get(b, OP);
        b.write(0x0E);
        u32(b, n);
        for (int k = 0; k < n; k++) {
            u32(b, k);
        }
        u32(b, 0);
        for (int k = 0; k < n; k++) {
            b.write(0x0B); // the end of arm k's block: its code follows
            for (Stmt s : arms.get(k)) {
                stmt(b, s);
            }
            if (!fallsThrough(k)) {
                b.write(0x0C);
                u32(b, n - 1 - k); // br $next, past the arms' blocks still open
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

    static final int[] BINOPS = {0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73};
    static final String[] JAVA_BINOPS = {"+", "-", "*", "&", "|", "^"};

    static void stmt(ByteArrayOutputStream b, Stmt s) {
        switch (s.kind()) {
            case 0: // a = a op b
                get(b, A);
                get(b, B);
                b.write(BINOPS[s.p()]);
                set(b, A);
                break;
            case 1: // b = b + (x ^ p)
                get(b, B);
                get(b, X);
                i32(b, s.p());
                b.writeBytes(new byte[] {0x73, 0x6A});
                set(b, B);
                break;
            case 2: // acc = acc + extend_u(a) * q
                get(b, ACC);
                get(b, A);
                b.write(0xAD);
                b.write(0x42);
                s64(b, s.q());
                b.writeBytes(new byte[] {0x7E, 0x7C});
                set(b, ACC);
                break;
            case 3: // f = f * 0.5 + convert_u(b)
                get(b, F);
                b.write(0x44);
                b.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xE0, 0x3F});
                b.write(0xA2);
                get(b, B);
                b.writeBytes(new byte[] {(byte) 0xB8, (byte) 0xA0});
                set(b, F);
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
                break;
            case 5: // mem[b & 1020] = a + p; b = b ^ mem[(b + 4*q) & 1020]
                get(b, B);
                i32(b, 1020);
                b.write(0x71);
                get(b, A);
                i32(b, s.p());
                b.write(0x6A);
                b.writeBytes(new byte[] {0x36, 0x02, 0x00}); // i32.store
                get(b, B);
                get(b, B);
                i32(b, 4 * s.q());
                b.write(0x6A);
                i32(b, 1020);
                b.writeBytes(new byte[] {0x71, 0x28, 0x02, 0x00}); // i32.load
                b.write(0x73);
                set(b, B);
                break;
            default: // a = helper_p(a, b)
                get(b, A);
                get(b, B);
                b.write(0x10);
                u32(b, 1 + s.p());
                set(b, A);
                break;
        }
    }

    // ---- the same program in Java ----

    static String java(List<Helper> helpers, List<List<Stmt>> arms) {
        var j = new StringBuilder();
        j.append("package dev.corral.benchmarks.big;\n\n")
                .append("// GENERATED by benchmarks/generator/BigModuleGenerator.java: the program of big-generated.wasm in plain Java.\n")
                .append("final class BigModuleJava {\n")
                .append("    private BigModuleJava() {}\n\n")
                .append("    static final class State {\n        int a, b;\n        long acc;\n        double f;\n")
                .append("        final int[] mem = new int[256];\n    }\n\n");
        j.append("    static long run(int steps, int x) {\n        State s = new State();\n")
                .append("        while (steps != 0) {\n            steps--;\n            x = x * 1103515245 + 12345;\n")
                .append("            switch ((x >>> 16) % ").append(arms.size()).append(") {\n");
        for (int k = 0; k < arms.size(); k++) {
            j.append("                case ").append(k).append(": arm").append(k).append("(s, x);");
            j.append(fallsThrough(k) && k < arms.size() - 1 ? " // falls into the next arm\n" : " continue;\n");
        }
        j.append("                default: throw new AssertionError();\n            }\n        }\n")
                .append("        return s.acc + (s.a & 0xFFFFFFFFL) + (long) s.f;\n    }\n");
        for (int k = 0; k < arms.size(); k++) {
            j.append("\n    private static void arm").append(k).append("(State s, int x) {\n");
            for (Stmt st : arms.get(k)) {
                j.append("        ").append(javaStmt(st)).append('\n');
            }
            j.append("    }\n");
        }
        for (int h = 0; h < helpers.size(); h++) {
            Helper hp = helpers.get(h);
            j.append("\n    private static int helper").append(h).append("(int a, int b) {\n        return (a * ").append(hp.c())
                    .append(" + b) ^ ").append(hp.rotate() ? "Integer.rotateLeft(b, " + hp.s() + ")" : "(b >>> " + hp.s() + ")")
                    .append(";\n    }\n");
        }
        return j.append("}\n").toString();
    }

    static String javaStmt(Stmt s) {
        switch (s.kind()) {
            case 0: return "s.a = s.a " + JAVA_BINOPS[s.p()] + " s.b;";
            case 1: return "s.b = s.b + (x ^ " + s.p() + ");";
            case 2: return "s.acc = s.acc + (s.a & 0xFFFFFFFFL) * " + s.q() + "L;";
            case 3: return "s.f = s.f * 0.5 + (double) (s.b & 0xFFFFFFFFL);";
            case 4: return "if ((s.a & 1) != 0) { s.b = s.b + 7; } else { s.a = s.a >>> 1; }";
            case 5: return "s.mem[(s.b & 1020) >>> 2] = s.a + " + s.p() + "; s.b = s.b ^ s.mem[((s.b + " + 4 * s.q() + ") & 1020) >>> 2];";
            default: return "s.a = helper" + s.p() + "(s.a, s.b);";
        }
    }

    // ---- encoding ----

    static void get(ByteArrayOutputStream b, int local) {
        b.write(0x20);
        b.write(local);
    }

    static void set(ByteArrayOutputStream b, int local) {
        b.write(0x21);
        b.write(local);
    }

    static void i32(ByteArrayOutputStream b, int v) {
        b.write(0x41);
        s64(b, v);
    }

    static void u32(ByteArrayOutputStream out, int v) {
        long x = v & 0xFFFFFFFFL;
        do {
            int byt = (int) (x & 0x7F);
            x >>>= 7;
            out.write(x != 0 ? byt | 0x80 : byt);
        } while (x != 0);
    }

    static void s64(ByteArrayOutputStream out, long v) {
        while (true) {
            int byt = (int) (v & 0x7F);
            v >>= 7;
            boolean done = (v == 0 && (byt & 0x40) == 0) || (v == -1 && (byt & 0x40) != 0);
            out.write(done ? byt : byt | 0x80);
            if (done) {
                return;
            }
        }
    }

    static void name(ByteArrayOutputStream out, String s) {
        u32(out, s.length());
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    static void sized(ByteArrayOutputStream out, byte[] body) {
        u32(out, body.length);
        out.writeBytes(body);
    }

    static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        u32(out, content.length);
        out.writeBytes(content);
    }
}
