package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.OpCode;
import java.io.ByteArrayOutputStream;

/**
 * The call-depth limit of metered plugins, counted in the instrumented code so that compiled and
 * interpreted runs stop at the same frame (issue 12, item 13): the JVM stack they would otherwise
 * run out of holds ~1,300 interpreted frames but ~8,000 compiled ones on a default thread.
 *
 * <p>{@link FuelInstrumenter} adds a mutable i32 global, the depth: how many frames the next
 * callee may still open. The host sets it to the policy's {@code maxCallDepth} before each outermost
 * call. Every function of the module (not the instrumentation's wrappers and helpers) opens a frame
 * at entry: it takes the depth minus its {@link #frameCost} (one for a frame of fewer than 32 slots of
 * parameters and locals) into a local and traps when that is negative, after
 * setting the global to {@link #EXCEEDED} so the host can tell this trap from the guest's own.
 * A fuel-passing clone gets its depth as a parameter, like its fuel, so a guest-to-guest call
 * costs a subtract and a sign test on registers, no global access (a global counter made
 * recursive fib 3x slower compiled); any other call first stores the caller's depth in the global,
 * where the callee (a wrapper, an import calling back into the guest, a function in a table)
 * reads it. Nothing is restored on return: each frame keeps its own depth in a local, so an
 * exception caught frames up needs no bookkeeping either.
 *
 * <p>The instrumentation's own code is free (charged no fuel), so fuel counts do not change.
 */
final class CallDepth {
    /** The depth global's value after a frame past the limit trapped. */
    static final int EXCEEDED = -1;

    private CallDepth() {}

    /**
     * The entry of a function: {@code d = d - cost} (a clone's parameter) or {@code d = depth - cost}
     * (from the global); if negative, {@code flush}, mark the global and trap. Stack-neutral.
     */
    static byte[] enter(int global, int local, int cost, boolean parameter, byte[] flush) {
        var out = new ByteArrayOutputStream(24);
        if (parameter) {
            out.write(0x20);
            Leb128.writeU32(out, local);
        } else {
            out.write(0x23);
            Leb128.writeU32(out, global);
        }
        out.write(0x41); // i32.const cost, i32.sub, local.tee
        Leb128.writeS64(out, cost);
        out.writeBytes(new byte[] {0x6B, 0x22});
        Leb128.writeU32(out, local);
        // the sign by shift, not i32.lt_s (a shared OpcodeImpl call; see FuelCode.chargeLocal)
        out.writeBytes(new byte[] {0x41, 31, 0x76, 0x04, 0x40}); // i32.const 31, i32.shr_u, if
        out.writeBytes(flush);
        out.write(0x41);
        Leb128.writeS64(out, EXCEEDED);
        out.write(0x24);
        Leb128.writeU32(out, global);
        out.writeBytes(new byte[] {0x00, 0x0B}); // unreachable, end
        return out.toByteArray();
    }

    /**
     * What a frame of a function counts against the depth: one, plus one per 32 JVM slots of its
     * parameters and locals (i64 and f64 take two). Compiled, each wasm local is a JVM local: a
     * function with 640 i64 locals has a ~10 KB frame, and a default 1 MiB stack holds fewer than
     * a hundred of them. Weighed, the limit stops such a recursion before the JVM stack does, in
     * both modes, and bounds what the interpreter's frames hold in the heap (~256 bytes a unit).
     */
    static int frameCost(int slots) {
        return 1 + slots / 32;
    }

    static int slots(java.util.List<com.dylibso.chicory.wasm.types.ValType> types) {
        int n = 0;
        for (var t : types) {
            n += t.equals(com.dylibso.chicory.wasm.types.ValType.I64) || t.equals(com.dylibso.chicory.wasm.types.ValType.F64) ? 2 : 1;
        }
        return n;
    }

    /** {@code depth = d}: before a call whose callee reads the depth from the global. Stack-neutral. */
    static byte[] store(int global, int local) {
        var out = new ByteArrayOutputStream(8);
        out.write(0x20);
        Leb128.writeU32(out, local);
        out.write(0x24);
        Leb128.writeU32(out, global);
        return out.toByteArray();
    }

    /** Calls after which the callee reads the depth from the global (unless it is a clone called directly). */
    static boolean leavesTheClones(OpCode op) {
        switch (op) {
            case CALL:
            case CALL_INDIRECT:
            case CALL_REF:
            case RETURN_CALL: // a tail call takes a frame, as Chicory's compiled code runs it
            case RETURN_CALL_INDIRECT:
            case RETURN_CALL_REF:
                return true;
            default:
                return false;
        }
    }
}
