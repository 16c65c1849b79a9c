package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Makes tail calls end the same way in both execution modes (issue 12, item 13). Chicory's
 * compiler runs {@code return_call} as an ordinary call followed by a return, so tail recursion
 * grows the JVM stack and ends in stack exhaustion, while its interpreter replaces the frame (and
 * fails with an index error when a function that tail-calls itself has locals of its own). This
 * load-time rewrite, applied in both modes to every module that uses tail calls, leaves neither
 * runtime a tail call to run:
 * <ul>
 *   <li>a function's tail call to itself becomes a loop: the body is wrapped in
 *       {@code loop (type f)}, whose parameters are the function's; the call's arguments stay on
 *       the stack, the declared locals are reset to their defaults, and {@code br} re-enters the
 *       loop, which stores the arguments into the parameters. Constant stack, in both modes;</li>
 *   <li>any other tail call ({@code return_call} to another function, {@code return_call_indirect},
 *       {@code return_call_ref}) becomes the call followed by {@code return}: it uses a frame, as it
 *       did compiled, now in both modes, so deep mutual tail recursion ends in the same stack
 *       exhaustion (or, metered, at the same call-depth limit) whichever mode runs it.</li>
 * </ul>
 * A function whose self tail call cannot be made a loop (a local without a default value, a
 * {@code try_table} or GC branch whose labels this pass does not re-encode) gets the call-and-return
 * form for it as well. Fuel is charged for the code as rewritten, the same in both modes.
 */
final class TailCalls {
    private TailCalls() {}

    static boolean uses(WasmModule parsed) {
        var code = parsed.codeSection();
        for (int f = 0; f < code.functionBodyCount(); f++) {
            for (var in : code.getFunctionBody(f).instructions()) {
                if (isTailCall(in.opcode())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code wasm} without tail calls; {@code wasm} itself when it has none. */
    static byte[] rewrite(byte[] wasm, WasmModule parsed) {
        if (!uses(parsed)) {
            return wasm;
        }
        var out = new ByteArrayOutputStream(wasm.length + 256);
        out.write(wasm, 0, 8);
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int id = wasm[pos[0]++] & 0xFF;
            int size = (int) Leb128.readU32(wasm, pos);
            int start = pos[0];
            int end = start + size;
            byte[] content = id == CodeRewriter.CODE_SECTION ? code(wasm, start, parsed) : null;
            out.write(id);
            if (content == null) {
                Leb128.writeU32(out, size);
                out.write(wasm, start, size);
            } else {
                Leb128.writeU32(out, content.length);
                out.writeBytes(content);
            }
            pos[0] = end;
        }
        return out.toByteArray();
    }

    private static byte[] code(byte[] wasm, int start, WasmModule parsed) {
        int imported = parsed.importSection().count(ExternalType.FUNCTION);
        var out = new ByteArrayOutputStream();
        int[] pos = {start};
        long count = Leb128.readU32(wasm, pos);
        Leb128.writeU32(out, count);
        for (int f = 0; f < count; f++) {
            int size = (int) Leb128.readU32(wasm, pos);
            int bodyStart = pos[0];
            int bodyEnd = bodyStart + size;
            FunctionBody body = parsed.codeSection().getFunctionBody(f);
            byte[] rewritten = body(wasm, bodyStart, bodyEnd, body, imported + f, parsed);
            if (rewritten == null) {
                Leb128.writeU32(out, size);
                out.write(wasm, bodyStart, size);
            } else {
                Leb128.writeU32(out, rewritten.length);
                out.writeBytes(rewritten);
            }
            pos[0] = bodyEnd;
        }
        return out.toByteArray();
    }

    /** The body without tail calls, or null when it has none. */
    private static byte[] body(byte[] wasm, int bodyStart, int bodyEnd, FunctionBody body, int self, WasmModule parsed) {
        List<AnnotatedInstruction> ins = body.instructions();
        boolean any = false;
        boolean selfCall = false;
        boolean loopable = true;
        for (var in : ins) {
            OpCode op = in.opcode();
            any |= isTailCall(op);
            selfCall |= op == OpCode.RETURN_CALL && in.operand(0) == self;
            // labels this pass would have to re-encode and does not
            loopable &= op != OpCode.TRY_TABLE && op != OpCode.BR_ON_CAST && op != OpCode.BR_ON_CAST_FAIL;
        }
        if (!any) {
            return null;
        }
        int typeIndex = parsed.functionSection().getFunctionType(self - parsed.importSection().count(ExternalType.FUNCTION));
        int params = parsed.typeSection().getType(typeIndex).params().size();
        byte[] resets = selfCall && loopable ? resets(body.localTypes(), params) : null;
        boolean loop = resets != null;

        var out = new ByteArrayOutputStream(bodyEnd - bodyStart + 32);
        int codeStart = ins.get(0).address();
        out.write(wasm, bodyStart, codeStart - bodyStart); // the local declarations, unchanged
        if (loop) {
            for (int p = 0; p < params; p++) {
                out.write(0x20); // local.get p
                Leb128.writeU32(out, p);
            }
            out.write(0x03); // loop (type f): [params] -> [results]
            Leb128.writeS64(out, typeIndex);
            for (int p = params - 1; p >= 0; p--) {
                out.write(0x21); // local.set p
                Leb128.writeU32(out, p);
            }
        }
        int depth = 0; // blocks open inside the body; the function's label is `depth` (+1 inside the loop)
        for (int i = 0; i < ins.size(); i++) {
            AnnotatedInstruction in = ins.get(i);
            int at = in.address();
            int next = i + 1 < ins.size() ? ins.get(i + 1).address() : bodyEnd;
            OpCode op = in.opcode();
            boolean last = i == ins.size() - 1;
            switch (op) {
                case RETURN_CALL:
                    if (loop && in.operand(0) == self) {
                        out.writeBytes(resets);
                        out.write(0x0C); // br to the loop
                        Leb128.writeU32(out, depth);
                    } else {
                        out.write(0x10); // call
                        out.write(wasm, at + 1, next - at - 1);
                        out.write(0x0F); // return
                    }
                    continue;
                case RETURN_CALL_INDIRECT:
                    out.write(0x11); // call_indirect
                    out.write(wasm, at + 1, next - at - 1);
                    out.write(0x0F);
                    continue;
                case RETURN_CALL_REF:
                    out.write(0x14); // call_ref
                    out.write(wasm, at + 1, next - at - 1);
                    out.write(0x0F);
                    continue;
                case BLOCK:
                case LOOP:
                case IF:
                case TRY_TABLE:
                    depth++;
                    break;
                case END:
                    if (last && loop) {
                        out.write(0x0B); // the loop's end, then the function's
                    }
                    depth--;
                    break;
                case BR:
                case BR_IF:
                case BR_ON_NULL:
                case BR_ON_NON_NULL:
                    if (loop && in.operand(0) == depth) { // to the function's label: one level further out now
                        out.write(wasm, at, 1);
                        Leb128.writeU32(out, depth + 1);
                        continue;
                    }
                    break;
                case BR_TABLE:
                    if (loop) {
                        out.write(0x0E);
                        int n = in.operandCount();
                        Leb128.writeU32(out, n - 1);
                        for (int k = 0; k < n; k++) {
                            long label = in.operand(k);
                            Leb128.writeU32(out, label == depth ? label + 1 : label);
                        }
                        continue;
                    }
                    break;
                default:
                    break;
            }
            out.write(wasm, at, next - at);
        }
        return out.toByteArray();
    }

    /**
     * {@code local.set k} of each declared local's default, for re-entering the loop as a fresh
     * call would start; null if some local has no default this pass can write.
     */
    private static byte[] resets(List<ValType> locals, int params) {
        var out = new ByteArrayOutputStream();
        for (int k = 0; k < locals.size(); k++) {
            ValType t = locals.get(k);
            if (t.equals(ValType.I32)) {
                out.writeBytes(new byte[] {0x41, 0x00});
            } else if (t.equals(ValType.I64)) {
                out.writeBytes(new byte[] {0x42, 0x00});
            } else if (t.equals(ValType.F32)) {
                out.writeBytes(new byte[] {0x43, 0, 0, 0, 0});
            } else if (t.equals(ValType.F64)) {
                out.writeBytes(new byte[] {0x44, 0, 0, 0, 0, 0, 0, 0, 0});
            } else if (t.equals(ValType.FuncRef)) {
                out.writeBytes(new byte[] {(byte) 0xD0, 0x70});
            } else if (t.equals(ValType.ExternRef)) {
                out.writeBytes(new byte[] {(byte) 0xD0, 0x6F});
            } else {
                return null;
            }
            out.write(0x21);
            Leb128.writeU32(out, params + k);
        }
        return out.toByteArray();
    }

    private static boolean isTailCall(OpCode op) {
        return op == OpCode.RETURN_CALL || op == OpCode.RETURN_CALL_INDIRECT || op == OpCode.RETURN_CALL_REF;
    }
}
