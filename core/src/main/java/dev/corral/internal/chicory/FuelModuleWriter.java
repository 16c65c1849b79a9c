package dev.corral.internal.chicory;

import static dev.corral.internal.chicory.FuelCode.*;
import static dev.corral.internal.chicory.FuelInstrumenter.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Writes {@link FuelInstrumenter}'s result: each body rewritten in place or moved to its
 * fuel-passing clone behind a wrapper ({@link CodePlan}), the helpers and clones appended, and the
 * type, function, global and export sections extended (three globals: fuel, reserve, call depth;
 * the fuel global's export), in the binary format's section order.
 */
final class FuelModuleWriter {
    private static final int TYPE_SECTION = 1;
    private static final int FUNCTION_SECTION = 3;
    private static final int GLOBAL_SECTION = 6;
    private static final int EXPORT_SECTION = 7;

    private FuelModuleWriter() {}

    /** How each body of the code section is rewritten, and what is appended after them. */
    static final class CodePlan {
        private final Fuel fuel;
        private final Entries entries;
        private final com.dylibso.chicory.wasm.types.CodeSection code;
        private final int[] fuelLocals;
        private final int[] tmpLocals;
        private final int[] clone;
        private final Ret[] rets;
        private final byte[][] blockTypes;
        private final List<byte[]> helperBodies;
        private final NavigableMap<Integer, byte[]> insertions;
        private final Map<Integer, Integer> skips;
        /** By function: whether anything but a clone can call it ({@link WrapperUse}). */
        private final boolean[] wrapperUsed;

        CodePlan(Fuel fuel, com.dylibso.chicory.wasm.types.CodeSection code, int[] fuelLocals, int[] tmpLocals, int[] clone,
                Ret[] rets, byte[][] blockTypes, List<byte[]> helperBodies, Edits edits, Entries entries, boolean[] wrapperUsed) {
            this.wrapperUsed = wrapperUsed;
            this.entries = entries;
            this.fuel = fuel;
            this.code = code;
            this.fuelLocals = fuelLocals;
            this.tmpLocals = tmpLocals;
            this.clone = clone;
            this.rets = rets;
            this.blockTypes = blockTypes;
            this.helperBodies = helperBodies;
            this.insertions = edits.merged();
            this.skips = edits.skips;
        }

        /**
         * The code section: each body rewritten in place, or replaced by its wrapper with the
         * rewritten body moved to its clone; then the helpers, then the clones.
         */
        byte[] rewrite(byte[] wasm, int start, int end) {
            var out = new ByteArrayOutputStream((end - start) * 3 / 2 + 64);
            int[] pos = {start};
            long count = Leb128.readU32(wasm, pos);
            List<byte[]> clones = new ArrayList<>();
            for (int f = 0; f < count; f++) {
                int bodySize = (int) Leb128.readU32(wasm, pos);
                int bodyStart = pos[0];
                int bodyEnd = bodyStart + bodySize;
                byte[] tmp = tmpLocals[f] >= 0 ? new byte[] {0x01, 0x7E} : new byte[0];
                if (clone[f] >= 0) {
                    int params = fuelLocals[f];
                    // a wrapper only clones call into is dead: no locals, unreachable, end
                    sized(out, wrapperUsed[f] ? wrapper(params, clone[f], rets[f], entries.hoisted[f] ? entries.cost[f] : 0)
                            : new byte[] {0x00, 0x00, 0x0B});
                    // block (results) <body> end <pack results and fuel>: branches to the function
                    // label (and `return`s, rewritten as such branches) land before the packing
                    byte[] prefix = concat(new byte[] {0x02}, blockTypes[f]);
                    byte[] suffix = concat(rets[f].pack(params), new byte[] {0x0B});
                    var body = new ByteArrayOutputStream(bodySize * 3 / 2 + 16);
                    edited(wasm, bodyStart, bodyEnd, f, tmp, prefix, suffix, body);
                    clones.add(body.toByteArray());
                } else {
                    var body = new ByteArrayOutputStream(bodySize * 3 / 2 + 16);
                    byte[] locals = concat(fuelLocals[f] >= 0 ? concat(new byte[] {0x01, 0x7F}, tmp) : new byte[0],
                            new byte[] {0x01, 0x7F}); // and the depth local, last
                    edited(wasm, bodyStart, bodyEnd, f, locals, new byte[0], new byte[0], body);
                    sized(out, body.toByteArray());
                }
                pos[0] = bodyEnd;
            }
            for (byte[] b : helperBodies) {
                out.writeBytes(b);
            }
            for (byte[] b : clones) {
                sized(out, b);
            }
            var section = new ByteArrayOutputStream(out.size() + 5);
            Leb128.writeU32(section, count + helperBodies.size() + clones.size());
            section.writeBytes(out.toByteArray());
            return section.toByteArray();
        }

        /** One body with its insertions; {@code extraLocals} are local groups (count, type) appended. */
        private void edited(byte[] wasm, int bodyStart, int bodyEnd, int f, byte[] extraLocals, byte[] prefix, byte[] suffix,
                ByteArrayOutputStream body) {
            int codeStart = code.getFunctionBody(f).instructions().get(0).address();
            int[] p = {bodyStart};
            long groups = Leb128.readU32(wasm, p);
            Leb128.writeU32(body, groups + extraLocals.length / 2);
            body.write(wasm, p[0], codeStart - p[0]);
            body.writeBytes(extraLocals);
            body.writeBytes(prefix);
            int cursor = codeStart;
            for (var e : insertions.subMap(codeStart, true, bodyEnd, false).entrySet()) {
                int at = e.getKey();
                body.write(wasm, cursor, at - cursor);
                body.writeBytes(e.getValue());
                cursor = at + skips.getOrDefault(at, 0);
            }
            body.write(wasm, cursor, bodyEnd - cursor);
            body.writeBytes(suffix);
        }

        /** {@code f(params...) = clone(params..., fuel)}, the fuel global passed in and out. */
        private byte[] wrapper(int params, int cloneIndex, Ret ret, long entryCost) {
            int local = params;
            int tmp = params + 1;
            var w = new ByteArrayOutputStream(32 + params * 2);
            w.writeBytes(ret.packed() ? new byte[] {0x02, 0x01, 0x7F, 0x01, 0x7E} : new byte[] {0x01, 0x01, 0x7F});
            w.writeBytes(fuel.reload(local));
            if (entryCost > 0 && entryCost <= fuel.chunk()) {
                // the clone's entry block. Right after a take the local holds min(fuel, chunk), so
                // with chunk >= cost it falls short only when the fuel does: trap, no refill call
                // (a call here, even never taken, costs the inlined clone its registers)
                w.writeBytes(subtractIfNegative(local, entryCost));
                w.writeBytes(fuel.flush(local));
                w.writeBytes(new byte[] {0x00, 0x0B}); // unreachable, end
            } else if (entryCost > 0) {
                w.writeBytes(chargeLocal(local, fuel.refill(), entryCost));
            }
            for (int i = 0; i < params; i++) {
                w.write(0x20);
                Leb128.writeU32(w, i);
            }
            w.write(0x20);
            Leb128.writeU32(w, local);
            w.write(0x23); // the depth: frames left below the caller, from the global
            Leb128.writeU32(w, fuel.depth());
            w.write(0x10);
            Leb128.writeU32(w, cloneIndex);
            w.writeBytes(ret.unpack(local, tmp));
            w.writeBytes(fuel.flush(local));
            w.write(0x0B);
            return w.toByteArray();
        }

        private static void sized(ByteArrayOutputStream out, byte[] body) {
            Leb128.writeU32(out, body.length);
            out.writeBytes(body);
        }
    }

    /** Value types as bytes, for the clones' types; null if one is not a plain (non-GC) type. */
    static byte[] encode(List<com.dylibso.chicory.wasm.types.ValType> types) {
        byte[] out = new byte[types.size()];
        for (int i = 0; i < out.length; i++) {
            int b = encode(types.get(i));
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }

    static int encode(com.dylibso.chicory.wasm.types.ValType t) {
        if (t.equals(com.dylibso.chicory.wasm.types.ValType.I32)) {
            return 0x7F;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.I64)) {
            return 0x7E;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.F32)) {
            return 0x7D;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.F64)) {
            return 0x7C;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.V128)) {
            return 0x7B;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.FuncRef)) {
            return 0x70;
        } else if (t.equals(com.dylibso.chicory.wasm.types.ValType.ExternRef)) {
            return 0x6F;
        }
        return -1; // typed references and GC types leave their function without a clone (it syncs with the global)
    }

    static byte[] funcType(byte[] params, byte[] results) {
        var out = new ByteArrayOutputStream(4 + params.length + results.length);
        out.write(0x60);
        Leb128.writeU32(out, params.length);
        out.writeBytes(params);
        Leb128.writeU32(out, results.length);
        out.writeBytes(results);
        return out.toByteArray();
    }

    /** Index of {@code type} in {@code types}, appended if new. */
    static int typeIndex(List<byte[]> types, byte[] type) {
        for (int i = 0; i < types.size(); i++) {
            if (java.util.Arrays.equals(types.get(i), type)) {
                return i;
            }
        }
        types.add(type);
        return types.size() - 1;
    }

    /** A block type naming a type index (a non-negative s33). */
    static byte[] sleb33(int index) {
        var out = new ByteArrayOutputStream(5);
        Leb128.writeS64(out, index);
        return out.toByteArray();
    }

    /** Section order of the binary format (tag = 13 sits between memory and global, datacount before code). */
    static int rank(int id) {
        switch (id) {
            case 13: return 55;
            case 12: return 95;
            default: return id == 0 ? -1 : id * 10;
        }
    }

    static byte[] rebuild(byte[] wasm, CodePlan plan, List<byte[]> newTypes, List<Integer> newFunctionTypes,
            int fuelGlobal) {
        var out = new ByteArrayOutputStream(wasm.length * 3 / 2 + 256);
        out.write(wasm, 0, 8);
        byte[] oneGlobal = {0x7E, 0x01, 0x42, 0x00, 0x0B}; // mut i64 = i64.const 0
        byte[] depthGlobal = {0x7F, 0x01, 0x41, 0x00, 0x0B}; // mut i32 = i32.const 0
        byte[] fuelGlobalEntry = concat(concat(oneGlobal, oneGlobal), depthGlobal); // the fuel, the reserve, the depth
        byte[] nameBytes = FUEL_EXPORT.getBytes(StandardCharsets.UTF_8);
        byte[] fuelExportEntry = concat(concat(u32(nameBytes.length), nameBytes), concat(new byte[] {0x03}, u32(fuelGlobal)));
        boolean globalDone = false;
        boolean exportDone = false;
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int id = wasm[pos[0]++] & 0xFF;
            int size = (int) Leb128.readU32(wasm, pos);
            int start = pos[0];
            int end = start + size;
            if (end > wasm.length || end < start) {
                throw new IllegalArgumentException("section " + id + " runs past the end of the module");
            }
            if (!globalDone && rank(id) > rank(GLOBAL_SECTION)) {
                section(out, GLOBAL_SECTION, concat(u32(3), fuelGlobalEntry));
                globalDone = true;
            }
            if (!exportDone && rank(id) > rank(EXPORT_SECTION)) {
                section(out, EXPORT_SECTION, concat(u32(1), fuelExportEntry));
                exportDone = true;
            }
            byte[] content;
            switch (id) {
                case GLOBAL_SECTION:
                    content = append(wasm, start, end, List.of(oneGlobal, oneGlobal, depthGlobal));
                    globalDone = true;
                    break;
                case EXPORT_SECTION:
                    content = append(wasm, start, end, List.of(fuelExportEntry));
                    exportDone = true;
                    break;
                case TYPE_SECTION:
                    content = newTypes.isEmpty() ? null : append(wasm, start, end, newTypes);
                    break;
                case FUNCTION_SECTION: {
                    List<byte[]> types = new ArrayList<>();
                    for (int t : newFunctionTypes) {
                        types.add(u32(t));
                    }
                    content = types.isEmpty() ? null : append(wasm, start, end, types);
                    break;
                }
                case CodeRewriter.CODE_SECTION:
                    content = plan.rewrite(wasm, start, end);
                    break;
                default:
                    content = null;
            }
            if (content == null) {
                out.write(id);
                Leb128.writeU32(out, size);
                out.write(wasm, start, size);
            } else {
                section(out, id, content);
            }
            pos[0] = end;
        }
        if (!globalDone) {
            section(out, GLOBAL_SECTION, concat(u32(3), fuelGlobalEntry));
        }
        if (!exportDone) {
            section(out, EXPORT_SECTION, concat(u32(1), fuelExportEntry));
        }
        return out.toByteArray();
    }

    static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        Leb128.writeU32(out, content.length);
        out.writeBytes(content);
    }

    /** A vector section with {@code extra} entries appended. */
    static byte[] append(byte[] wasm, int start, int end, List<byte[]> extra) {
        int[] pos = {start};
        long count = Leb128.readU32(wasm, pos);
        var out = new ByteArrayOutputStream(end - start + 32);
        Leb128.writeU32(out, count + extra.size());
        out.write(wasm, pos[0], end - pos[0]);
        for (byte[] e : extra) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }
}
