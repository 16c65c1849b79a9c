package dev.corral;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds wasm binaries byte by byte, for hostile modules that wat2wasm refuses to express (counts
 * the bytes do not back, GC types wabt 1.0.32 cannot parse, indices out of range).
 */
final class WasmBytes {
    static final int TYPE = 1;
    static final int IMPORT = 2;
    static final int FUNCTION = 3;
    static final int TABLE = 4;
    static final int MEMORY = 5;
    static final int GLOBAL = 6;
    static final int EXPORT = 7;
    static final int ELEMENT = 9;
    static final int CODE = 10;
    static final int DATA = 11;
    static final int DATA_COUNT = 12;
    static final int TAG = 13;

    static final int I32 = 0x7F;
    static final int I64 = 0x7E;

    private WasmBytes() {}

    static byte[] module(byte[]... sections) {
        return cat(bytes(0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00), cat(sections));
    }

    static byte[] section(int id, byte[]... content) {
        byte[] c = cat(content);
        return cat(bytes(id), u32(c.length), c);
    }

    /** A vector: the count, then the items. */
    static byte[] vec(byte[]... items) {
        return cat(u32(items.length), cat(items));
    }

    static byte[] funcType(int[] params, int[] results) {
        return cat(bytes(0x60), u32(params.length), bytes(params), u32(results.length), bytes(results));
    }

    /** A function body: local groups (count, type pairs) then code; {@code end} is appended. */
    static byte[] body(byte[] locals, byte[] code) {
        byte[] b = cat(locals, code, bytes(0x0B));
        return cat(u32(b.length), b);
    }

    static byte[] noLocals() {
        return u32(0);
    }

    static byte[] export(String name, int kind, int index) {
        return cat(name(name), bytes(kind), u32(index));
    }

    /** The usual frame: one function type {@code () -> i32}, one function with {@code code}, exported as "run". */
    static byte[] runModule(byte[] code, byte[]... extraSectionsBeforeExport) {
        return module(section(TYPE, vec(funcType(new int[0], new int[] {I32}))),
                section(FUNCTION, vec(u32(0))),
                cat(extraSectionsBeforeExport),
                section(EXPORT, vec(export("run", 0, 0))),
                section(CODE, vec(body(noLocals(), code))));
    }

    static byte[] name(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return cat(u32(b.length), b);
    }

    static byte[] u32(long v) {
        var out = new ByteArrayOutputStream();
        do {
            int x = (int) (v & 0x7F);
            v >>>= 7;
            out.write(v != 0 ? x | 0x80 : x);
        } while (v != 0);
        return out.toByteArray();
    }

    static byte[] s64(long v) {
        var out = new ByteArrayOutputStream();
        while (true) {
            int x = (int) (v & 0x7F);
            v >>= 7;
            if ((v == 0 && (x & 0x40) == 0) || (v == -1 && (x & 0x40) != 0)) {
                out.write(x);
                return out.toByteArray();
            }
            out.write(x | 0x80);
        }
    }

    static byte[] i32Const(int v) {
        return cat(bytes(0x41), s64(v));
    }

    static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = (byte) b[i];
        }
        return r;
    }

    static byte[] repeat(byte[] unit, int times) {
        byte[] r = new byte[unit.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(unit, 0, r, i * unit.length, unit.length);
        }
        return r;
    }

    static byte[] cat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
