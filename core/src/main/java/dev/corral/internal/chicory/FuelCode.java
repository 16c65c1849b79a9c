package dev.corral.internal.chicory;

import static dev.corral.internal.chicory.FuelInstrumenter.*;

import java.io.ByteArrayOutputStream;

/**
 * The wasm code {@link FuelInstrumenter} emits: the fuel and reserve globals' moves ({@link Fuel}),
 * how a fuel-passing clone returns its fuel ({@link Ret}), the charges and the helpers that charge
 * for run-time lengths, and the refill helper. Byte sequences only; where they go is
 * {@link FunctionMeter}'s job.
 */
final class FuelCode {
    private FuelCode() {}

    /** How a run-time length on top of the stack is converted to fuel. */
    enum Helper {
        /** pages, 1024 units each. */
        PAGES(new byte[] {0x42, 10, (byte) 0x86}), // i64.const 10, i64.shl
        /** bytes, 1 unit per 64 rounded up. */
        BYTES(new byte[] {0x42, 63, 0x7C, 0x42, 6, (byte) 0x88}), // +63, i64.shr_u 6
        /** elements, 1 unit each. */
        ELEMENTS(new byte[0]);

        final byte[] scale;

        Helper(byte[] scale) {
            this.scale = scale;
        }
    }

    /**
     * The fuel and reserve globals, the refill helper and the depth global. The fuel global is the
     * truth whenever the host or a function that charges globals directly can look (at entry,
     * exit, around calls that are not clone to clone); in between the fuel is split: the running
     * function's i32 local holds up to a chunk, the reserve global the rest.
     */
    record Fuel(int global, int reserve, int refill, int chunk, int depth) {
        /** {@code fuel = reserve + local}: the local and the reserve stay valid. */
        byte[] flush(int local) {
            var out = new ByteArrayOutputStream(12);
            out.write(0x23);
            Leb128.writeU32(out, reserve);
            out.write(0x20);
            Leb128.writeU32(out, local);
            out.write(0xAC); // i64.extend_i32_s
            out.write(0x7C); // i64.add
            out.write(0x24);
            Leb128.writeU32(out, global);
            return out.toByteArray();
        }

        /**
         * Pushes a chunk of the fuel global, leaving the rest in the reserve: {@code c = min(fuel,
         * chunk); reserve = fuel - c}. Inline and without calls (the fuel global is never negative
         * here: the host sets it, and a host call that overdraws it fails in the host): a wrapper
         * is often inlined into its caller together with the clone, and a call would make the JIT
         * spill the clone's loop state. The test is a shift, not {@code i64.lt_s} (see
         * {@link #chargeLocal}).
         */
        byte[] take() {
            var out = new ByteArrayOutputStream(40);
            out.write(0x23);
            Leb128.writeU32(out, global);
            out.write(0x24);
            Leb128.writeU32(out, reserve);
            out.write(0x23);
            Leb128.writeU32(out, reserve);
            out.write(0x42);
            Leb128.writeS64(out, chunk);
            out.writeBytes(new byte[] {0x7D, 0x42, 63, (byte) 0x88, (byte) 0xA7}); // i64.sub, shr_u 63, wrap
            out.writeBytes(new byte[] {0x04, 0x7F, 0x23}); // if (result i32): fuel < chunk
            Leb128.writeU32(out, reserve);
            out.writeBytes(new byte[] {(byte) 0xA7, 0x42, 0x00, 0x24}); // c = fuel, reserve = 0
            Leb128.writeU32(out, reserve);
            out.writeBytes(new byte[] {0x05, 0x23}); // else: reserve -= chunk, c = chunk
            Leb128.writeU32(out, reserve);
            out.write(0x42);
            Leb128.writeS64(out, chunk);
            out.write(0x7D);
            out.write(0x24);
            Leb128.writeU32(out, reserve);
            out.write(0x41);
            Leb128.writeS64(out, chunk);
            out.write(0x0B);
            return out.toByteArray();
        }

        byte[] reload(int local) {
            return concat(take(), concat(new byte[] {0x21}, u32(local)));
        }
    }

    /** How a fuel-passing clone hands back its results and its fuel. */
    enum Ret {
        /** No results: {@code -> (i32 fuel)}. */
        NONE,
        /** One i32: {@code -> (i64)}, fuel in the high half. */
        PACKED_I32,
        /** One f32, as its bits: {@code -> (i64)}, fuel in the high half. */
        PACKED_F32,
        /** Anything else: {@code -> (results, i32 fuel)} (Chicory boxes these). */
        MULTI;

        static Ret of(byte[] results) {
            if (results.length == 0) {
                return NONE;
            } else if (results.length == 1 && results[0] == 0x7F) {
                return PACKED_I32;
            } else if (results.length == 1 && results[0] == 0x7D) {
                return PACKED_F32;
            }
            return MULTI;
        }

        boolean packed() {
            return this == PACKED_I32 || this == PACKED_F32;
        }

        byte[] cloneResults(byte[] results) {
            switch (this) {
                case NONE: return new byte[] {0x7F};
                case PACKED_I32:
                case PACKED_F32: return new byte[] {0x7E};
                default: return concat(results, new byte[] {0x7F});
            }
        }

        /** After the clone body's results: leave what this clone returns. */
        byte[] pack(int fuelLocal) {
            byte[] get = concat(new byte[] {0x20}, u32(fuelLocal));
            switch (this) {
                case PACKED_F32:
                    return concat(new byte[] {(byte) 0xBC}, PACKED_I32.pack(fuelLocal)); // i32.reinterpret_f32
                case PACKED_I32:
                    // i64.extend_i32_u(result) | i64.extend_i32_u(fuel) << 32
                    return concat(concat(new byte[] {(byte) 0xAD}, get), new byte[] {(byte) 0xAD, 0x42, 32, (byte) 0x86, (byte) 0x84});
                default:
                    return get;
            }
        }

        /** After a call to the clone: the callee's results on the stack, its fuel in the local. */
        byte[] unpack(int fuelLocal, int tmpLocal) {
            byte[] set = concat(new byte[] {0x21}, u32(fuelLocal));
            switch (this) {
                case PACKED_I32:
                case PACKED_F32: {
                    var out = new ByteArrayOutputStream(16);
                    out.write(0x22);
                    Leb128.writeU32(out, tmpLocal);
                    out.writeBytes(new byte[] {0x42, 32, (byte) 0x88, (byte) 0xA7}); // i64.shr_u 32, i32.wrap_i64
                    out.writeBytes(set);
                    out.write(0x20);
                    Leb128.writeU32(out, tmpLocal);
                    out.write(0xA7);
                    if (this == PACKED_F32) {
                        out.write(0xBE); // f32.reinterpret_i32
                    }
                    return out.toByteArray();
                }
                default:
                    return set;
            }
        }
    }

    /** {@code fuel -= cost; if (fuel < 0) unreachable}. Stack-neutral, valid anywhere in a body. */
    static byte[] charge(int global, long cost) {
        var out = new ByteArrayOutputStream(24);
        out.write(0x23);
        Leb128.writeU32(out, global);
        out.write(0x42);
        Leb128.writeS64(out, cost);
        out.write(0x7D); // i64.sub
        out.write(0x24);
        Leb128.writeU32(out, global);
        writeCheck(out, global);
        return out.toByteArray();
    }

    /**
     * {@code local -= amount; if (local < 0) {}, left open for the caller's then-arm and {@code end}.
     * The sign is tested by {@code i32.shr_u 31}, which Chicory compiles inline to {@code iushr},
     * rather than {@code i32.lt_s}, a call to a shared {@code OpcodeImpl} method whose branch
     * profile every comparison in the JVM feeds (with it, metered loops settled at 2.7x in whole
     * runs).
     */
    static byte[] subtractIfNegative(int local, long amount) {
        var out = new ByteArrayOutputStream(16);
        out.write(0x20);
        Leb128.writeU32(out, local);
        out.write(0x41);
        Leb128.writeS64(out, amount);
        out.write(0x6B); // i32.sub
        out.write(0x22); // local.tee
        Leb128.writeU32(out, local);
        out.writeBytes(new byte[] {0x41, 31, 0x76, 0x04, 0x40}); // i32.const 31, i32.shr_u, if
        return out.toByteArray();
    }

    /**
     * {@code local -= cost; if (local < 0) local = refill(local)}. Stack-neutral. The refill moves
     * another chunk in from the reserve, or traps when the fuel is gone.
     */
    static byte[] chargeLocal(int local, int refill, long cost) {
        if (cost >= CHUNK) {
            throw new IllegalArgumentException("a straight-line block of " + cost + " instructions is too large to meter");
        }
        var out = new ByteArrayOutputStream(24);
        out.writeBytes(subtractIfNegative(local, cost));
        out.write(0x20);
        Leb128.writeU32(out, local);
        out.write(0x10);
        Leb128.writeU32(out, refill);
        out.write(0x21);
        Leb128.writeU32(out, local);
        out.write(0x0B);
        return out.toByteArray();
    }

    /**
     * {@code refill(x: i32) -> i32}, with {@code x} a local that went below zero (or 0 to take a first
     * chunk): {@code t = reserve + x; if (t < 0) { fuel = t; unreachable }; c = min(t, chunk);
     * reserve = t - c; return c}.
     */
    static byte[] refillBody(int global, int reserve, int chunk) {
        var code = new ByteArrayOutputStream(48);
        code.writeBytes(new byte[] {0x01, 0x02, 0x7E}); // locals t, c: i64
        code.write(0x23);
        Leb128.writeU32(code, reserve);
        code.writeBytes(new byte[] {0x20, 0x00, (byte) 0xAC, 0x7C, 0x22, 0x01}); // + extend_s(x), tee t
        code.writeBytes(new byte[] {0x42, 0x00, 0x53, 0x04, 0x40, 0x20, 0x01, 0x24}); // t < 0: fuel = t
        Leb128.writeU32(code, global);
        code.writeBytes(new byte[] {0x00, 0x0B, 0x20, 0x01}); // unreachable end, t
        code.writeBytes(new byte[] {0x20, 0x01, 0x42});
        Leb128.writeS64(code, chunk);
        code.writeBytes(new byte[] {0x20, 0x01, 0x42});
        Leb128.writeS64(code, chunk);
        code.writeBytes(new byte[] {0x53, 0x1B, 0x22, 0x02, 0x7D, 0x24}); // select(t, chunk, t < chunk), tee c, t - c
        Leb128.writeU32(code, reserve);
        code.writeBytes(new byte[] {0x20, 0x02, (byte) 0xA7, 0x0B}); // c as i32, end
        var out = new ByteArrayOutputStream(code.size() + 2);
        Leb128.writeU32(out, code.size());
        out.writeBytes(code.toByteArray());
        return out.toByteArray();
    }

    static void writeCheck(ByteArrayOutputStream out, int global) {
        out.write(0x23);
        Leb128.writeU32(out, global);
        // the sign bit by shift, not i64.lt_s (a shared OpcodeImpl call, see chargeLocal)
        out.writeBytes(new byte[] {0x42, 63, (byte) 0x88, (byte) 0xA7, 0x04, 0x40, 0x00, 0x0B}); // shr_u 63 wrap if unreachable end
    }

    static byte[] helperBody(Helper h, int global) {
        var code = new ByteArrayOutputStream(32);
        code.write(0x00); // no locals
        code.write(0x23);
        Leb128.writeU32(code, global);
        code.writeBytes(new byte[] {0x20, 0x00, (byte) 0xAD}); // local.get 0, i64.extend_i32_u
        code.writeBytes(h.scale);
        code.write(0x7D);
        code.write(0x24);
        Leb128.writeU32(code, global);
        writeCheck(code, global);
        code.writeBytes(new byte[] {0x20, 0x00, 0x0B}); // local.get 0, end
        var out = new ByteArrayOutputStream(code.size() + 2);
        Leb128.writeU32(out, code.size());
        out.writeBytes(code.toByteArray());
        return out.toByteArray();
    }

    static byte[] u32(long v) {
        var out = new ByteArrayOutputStream(5);
        Leb128.writeU32(out, v);
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        return CodeRewriter.concat(a, b);
    }
}
