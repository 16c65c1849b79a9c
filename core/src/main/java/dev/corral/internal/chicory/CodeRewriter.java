package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Load-time rewriting of a module's code section: inserts byte sequences at instruction
 * boundaries and fixes every function body size and the section size. Instructions are decoded
 * by Chicory's parser (whose instruction addresses are offsets in the module's bytes), so this
 * class only splices.
 *
 * <p>Today it makes loops interruptible in the interpreter: Chicory 1.7.5's interpreter checks the
 * thread's interrupt flag on {@code call} and {@code br} but not on {@code br_if}/{@code br_table},
 * so a loop closed by {@code br_if} can never be stopped. Inserting {@code block br 0 end} at the
 * head of every loop body puts an unconditional {@code br} on every iteration of every loop,
 * whatever branch closes it. The same check goes before every tail call. The block has no effect
 * on the stack or on semantics.
 *
 * <p>Compiled code needs none of this (Chicory's compiler checks on every back-edge and call), so
 * compiled modules run unrewritten unless some function is too large for a JVM method and falls
 * back to the interpreter.
 *
 * <p>{@link FuelInstrumenter} composes with it: it adds its charges to the same insertion map and
 * appends its own sections and functions around the splice.
 */
final class CodeRewriter {
    static final int CODE_SECTION = 10;

    /** {@code block (empty) br 0 end}. */
    private static final byte[] INTERRUPT_CHECK = {0x02, 0x40, 0x0C, 0x00, 0x0B};

    private CodeRewriter() {}

    /** Returns the module with an interrupt check at every loop head and before every tail call. */
    static byte[] makeLoopsInterruptible(byte[] wasm, WasmModule parsed) {
        NavigableMap<Integer, byte[]> insertions = new TreeMap<>();
        addLoopInterruptChecks(parsed, insertions);
        return insertions.isEmpty() ? wasm : splice(wasm, insertions);
    }

    /** Adds an interrupt check at every loop head and before every tail call to {@code insertions}. */
    static void addLoopInterruptChecks(WasmModule parsed, NavigableMap<Integer, byte[]> insertions) {
        var code = parsed.codeSection();
        for (int f = 0; f < code.functionBodyCount(); f++) {
            FunctionBody body = code.getFunctionBody(f);
            List<? extends Instruction> ins = body.instructions();
            for (int i = 0; i + 1 < ins.size(); i++) {
                var op = ins.get(i).opcode();
                if (op == OpCode.RETURN_CALL || op == OpCode.RETURN_CALL_INDIRECT || op == OpCode.RETURN_CALL_REF) {
                    // the interpreter's tail calls replace the frame in place without passing the
                    // interrupt check of an ordinary call, so tail recursion would never stop. (A
                    // check at every function entry would do too, but costs every call ~40 ns.)
                    if (ins.get(i).address() < 0) {
                        throw new IllegalStateException("tail call without address in function " + f);
                    }
                    insert(insertions, ins.get(i).address(), INTERRUPT_CHECK);
                }
                if (op == OpCode.LOOP) {
                    int at = ins.get(i + 1).address();
                    if (at < 0) {
                        throw new IllegalStateException("instruction without address after loop in function " + f);
                    }
                    insert(insertions, at, INTERRUPT_CHECK);
                }
            }
        }
    }

    /**
     * Schedules {@code bytes} before the instruction at {@code address}; several rewrites may
     * insert at one address, in the order they are added (all insertions are stack-neutral).
     */
    static void insert(NavigableMap<Integer, byte[]> insertions, int address, byte[] bytes) {
        insertions.merge(address, bytes, CodeRewriter::concat);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * Rebuilds the module with {@code insertions} (absolute offset in the code section -> bytes
     * inserted before the byte at that offset).
     */
    static byte[] splice(byte[] wasm, NavigableMap<Integer, byte[]> insertions) {
        var out = new ByteArrayOutputStream(wasm.length + insertions.size() * 8);
        out.write(wasm, 0, 8);
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int id = wasm[pos[0]++] & 0xFF;
            int size = (int) Leb128.readU32(wasm, pos);
            int start = pos[0];
            int end = start + size;
            if (id != CODE_SECTION) {
                out.write(id);
                Leb128.writeU32(out, size);
                out.write(wasm, start, size);
            } else {
                byte[] section = rewriteCode(wasm, start, end, insertions, List.of(), null);
                out.write(id);
                Leb128.writeU32(out, section.length);
                out.write(section, 0, section.length);
            }
            pos[0] = end;
        }
        return out.toByteArray();
    }

    /**
     * The code section's content with {@code insertions} spliced in and {@code extraBodies} (each
     * already size-prefixed) appended after the module's own functions. Body {@code f} gets one
     * more i64 local, declared last, when {@code addI64Local[f]} (the address of its first
     * instruction, where the local declarations end) is not -1.
     */
    static byte[] rewriteCode(byte[] wasm, int start, int end, NavigableMap<Integer, byte[]> insertions,
            List<byte[]> extraBodies, int[] addI64Local) {
        var out = new ByteArrayOutputStream(end - start + insertions.size() * 8);
        int[] pos = {start};
        long count = Leb128.readU32(wasm, pos);
        Leb128.writeU32(out, count + extraBodies.size());
        for (long f = 0; f < count; f++) {
            int bodySize = (int) Leb128.readU32(wasm, pos);
            int bodyStart = pos[0];
            int bodyEnd = bodyStart + bodySize;
            var body = new ByteArrayOutputStream(bodySize + 16);
            int cursor = bodyStart;
            int codeStart = addI64Local == null ? -1 : addI64Local[(int) f];
            if (codeStart >= 0) {
                int[] p = {bodyStart};
                long groups = Leb128.readU32(wasm, p);
                Leb128.writeU32(body, groups + 1);
                body.write(wasm, p[0], codeStart - p[0]);
                body.write(1);
                body.write(0x7E); // one i64
                cursor = codeStart;
            }
            for (var e : insertions.subMap(bodyStart, true, bodyEnd, false).entrySet()) {
                body.write(wasm, cursor, e.getKey() - cursor);
                body.write(e.getValue(), 0, e.getValue().length);
                cursor = e.getKey();
            }
            body.write(wasm, cursor, bodyEnd - cursor);
            Leb128.writeU32(out, body.size());
            out.writeBytes(body.toByteArray());
            pos[0] = bodyEnd;
        }
        for (byte[] b : extraBodies) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }
}
