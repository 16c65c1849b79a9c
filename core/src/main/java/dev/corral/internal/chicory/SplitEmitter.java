package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.OpCode;
import dev.corral.internal.chicory.SplitPlanner.Call;
import dev.corral.internal.chicory.SplitPlanner.Construct;
import dev.corral.internal.chicory.SplitPlanner.Node;
import dev.corral.internal.chicory.SplitPlanner.Region;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a planned function back as wasm: the function with its runs replaced by calls, and one
 * helper function per run. Instructions are copied byte for byte from the original body except
 * those that name a local (renumbered in helpers) or a label (branch depths are recomputed from
 * the labels open where the branch lands, so a branch keeps its target whatever is wrapped around
 * it). The protocol between a call site and its helper is described in SPLITTING.md.
 */
final class SplitEmitter {
    /** Label stack entries: a construct of the body (its opener), or a block the emitter added. */
    private static final int ANONYMOUS = -3;
    private static final int NONE = -4;
    /** A helper's outermost block, where every way out meets to store the out locals. */
    private static final int SAVE = -5;

    /** Where a helper's and a call site's values travel: one mutable global per type and slot. */
    interface Registers {
        int global(byte type, int slot);
    }

    /** Function types and multi-value block types appended to the module. */
    interface Types {
        int index(byte[] params, byte[] results);
    }

    private final SplitPlanner p;
    private final SplitShape s;
    private final Registers regs;
    private final Types types;

    SplitEmitter(SplitPlanner planner, Registers regs, Types types) {
        this.p = planner;
        this.s = planner.s;
        this.regs = regs;
        this.types = types;
    }

    /** Gives each out local and each exit value of {@code r} a register slot; returns slots used per type. */
    static int[] assignSlots(Region r, byte[] localTypes, byte[][] exitValues) {
        int[] used = new int[256];
        // spilled parameters are read before anything else runs in the helper: their slots can
        // be the ones the out locals take when it returns
        r.spillSlots = new int[r.spillLocals.length];
        int[] spilled = new int[256];
        for (int k = 0; k < r.spillLocals.length; k++) {
            r.spillSlots[k] = spilled[localTypes[r.spillLocals[k]] & 0xFF]++;
        }
        r.outSlots = new int[r.outLocals.length];
        if (r.direct) {
            r.valueSlots = new int[exitValues.length][0];
            return spilled;
        }
        for (int k = 0; k < r.outLocals.length; k++) {
            r.outSlots[k] = used[localTypes[r.outLocals[k]] & 0xFF]++;
        }
        int[] max = used.clone();
        r.valueSlots = new int[exitValues.length][];
        for (int e = 0; e < exitValues.length; e++) {
            int[] c = used.clone();
            byte[] v = exitValues[e];
            r.valueSlots[e] = new int[v.length];
            for (int k = 0; k < v.length; k++) {
                r.valueSlots[e][k] = c[v[k] & 0xFF]++;
            }
            for (int t = 0; t < 256; t++) {
                max[t] = Math.max(max[t], c[t]);
            }
        }
        for (int t = 0; t < 256; t++) {
            max[t] = Math.max(max[t], spilled[t]);
        }
        return max;
    }

    /** The values leaving {@code r} by each way out: 0 = falling through (empty if it cannot), then each exit. */
    byte[][] exitValues(Region r) {
        byte[][] v = new byte[r.exits.length + 1][];
        v[0] = r.results != null ? r.results : new byte[0];
        for (int t = 0; t < r.exits.length; t++) {
            v[t + 1] = s.labelTypes(r.exits[t]);
        }
        return v;
    }

    byte[] helperType(Region r) {
        return concat(r.stackParams, localTypes(r.paramLocals));
    }

    byte[] helperResults(Region r) {
        if (r.hasCode) {
            return new byte[] {SplitShape.I32};
        }
        if (r.direct) {
            if (r.directLocal >= 0) {
                return new byte[] {s.localTypes[r.directLocal]};
            }
            return r.results != null ? r.results : s.labelTypes(r.exits[0]);
        }
        return new byte[0];
    }

    // ---- output context ----

    private final class Context {
        final int[] map;
        final boolean helper;
        final ArrayList<int[]> labels = new ArrayList<>();

        Context(int[] map, boolean helper) {
            this.map = map;
            this.helper = helper;
        }

        void push(int id, int standsFor) {
            labels.add(new int[] {id, standsFor});
        }

        void pop() {
            labels.remove(labels.size() - 1);
        }

        int label(int target) {
            for (int k = labels.size() - 1; k >= 0; k--) {
                int[] e = labels.get(k);
                if ((target >= 0 && e[0] == target) || e[1] == target) {
                    return labels.size() - 1 - k;
                }
            }
            if (!helper && target == SplitShape.FUNCTION) {
                return labels.size();
            }
            throw new IllegalStateException("no open label for target " + target);
        }

        int local(int x) {
            int m = map[x];
            if (m < 0) {
                throw new IllegalStateException("local " + x + " is not mapped");
            }
            return m;
        }
    }

    /** The function's new body, with its locals and one more i32: the call sites' exit code. */
    byte[] function() {
        var out = new ByteArrayOutputStream(s.end(s.n - 1) - s.start(0) + 64);
        byte[] declared = Arrays.copyOfRange(s.localTypes, s.paramCount, s.localTypes.length + 1);
        declared[declared.length - 1] = SplitShape.I32;
        writeLocals(out, declared);
        int[] map = new int[p.codeTemp + 1];
        for (int i = 0; i < map.length; i++) {
            map[i] = i;
        }
        emit(p.top, new Context(map, false), out);
        out.write(0x0B);
        return out.toByteArray();
    }

    /** The body of the helper holding {@code r}. */
    byte[] helper(Region r) {
        int[] map = new int[p.codeTemp + 1];
        Arrays.fill(map, -1);
        int next = r.stackParams.length;
        for (int x : r.paramLocals) {
            map[x] = next++;
        }
        byte[] declared = new byte[r.innerLocals.length + (r.hasCode ? 1 : 0)];
        for (int k = 0; k < r.innerLocals.length; k++) {
            int x = r.innerLocals[k];
            map[x] = next++;
            declared[k] = x == p.codeTemp ? SplitShape.I32 : s.localTypes[x];
        }
        int code = -1;
        if (r.hasCode) {
            code = next++;
            declared[declared.length - 1] = SplitShape.I32;
        }
        var out = new ByteArrayOutputStream(s.end(r.last) - s.start(r.first) + 64);
        writeLocals(out, declared);
        for (int k = 0; k < r.spillLocals.length; k++) {
            int x = r.spillLocals[k];
            out.write(0x23);
            Leb128.writeU32(out, regs.global(s.localTypes[x], r.spillSlots[k]));
            out.write(0x21);
            Leb128.writeU32(out, map[x]);
        }
        var ctx = new Context(map, true);
        byte[][] values = exitValues(r);
        if (r.hasCode) {
            out.writeBytes(new byte[] {0x02, 0x40});
            ctx.push(ANONYMOUS, SAVE);
        }
        for (int t = r.exits.length; t >= 1; t--) {
            out.write(0x02);
            out.writeBytes(blockType(values[t]));
            ctx.push(ANONYMOUS, r.exits[t - 1]);
        }
        if (r.arms != null) {
            switchGroup(r, ctx, out);
        } else {
            for (int k = 0; k < r.stackParams.length; k++) {
                out.write(0x20);
                Leb128.writeU32(out, k);
            }
            emit(r.items, ctx, out);
        }
        if (r.results != null) {
            leave(r, 0, values[0], code, ctx, out);
        } else {
            // the run never falls through, but dead code at its end may leave values that would
            // not match what follows: make the stack polymorphic again
            out.write(0x00);
        }
        for (int t = 1; t <= r.exits.length; t++) {
            out.write(0x0B);
            ctx.pop();
            leave(r, t, values[t], code, ctx, out);
        }
        if (r.hasCode) {
            out.write(0x0B);
            ctx.pop();
        }
        if (!r.direct) {
            for (int k = 0; k < r.outLocals.length; k++) {
                int x = r.outLocals[k];
                out.write(0x20);
                Leb128.writeU32(out, map[x]);
                out.write(0x24);
                Leb128.writeU32(out, regs.global(s.localTypes[x], r.outSlots[k]));
            }
        } else if (r.directLocal >= 0) {
            out.write(0x20);
            Leb128.writeU32(out, map[r.directLocal]);
        }
        if (r.hasCode) {
            out.write(0x20);
            Leb128.writeU32(out, code);
        }
        out.write(0x0B);
        return out.toByteArray();
    }

    /**
     * A switch group's body: its arms' blocks rebuilt around a br_table on the entry number
     * (parameter 0), so branches between its arms land as they did; falling off the last arm
     * leaves for the end of the construct that held it (SplitSwitches).
     */
    private void switchGroup(Region r, Context ctx, ByteArrayOutputStream out) {
        int count = r.levels.length;
        for (int k = count - 1; k >= 1; k--) {
            out.writeBytes(new byte[] {0x02, 0x40});
            ctx.push(r.levels[k], NONE);
        }
        out.writeBytes(new byte[] {0x02, 0x40});
        ctx.push(ANONYMOUS, NONE);
        out.writeBytes(new byte[] {0x20, 0x00, 0x0E});
        Leb128.writeU32(out, count);
        for (int k = 0; k < count; k++) {
            Leb128.writeU32(out, k);
        }
        Leb128.writeU32(out, 0);
        for (int k = 0; k < count; k++) {
            out.write(0x0B);
            ctx.pop();
            emit(r.arms.get(k), ctx, out);
        }
        int outer = s.parent[r.levels[count - 1]];
        for (int t : r.exits) {
            if (t == outer) {
                out.write(0x0C);
                Leb128.writeU32(out, ctx.label(outer));
            }
        }
        // r.results is null: the caller continues after whatever the helper returns
    }

    /** In a helper, leaving by way {@code e} with its values on the stack: store them, note the way. */
    private void leave(Region r, int e, byte[] values, int code, Context ctx, ByteArrayOutputStream out) {
        if (!r.direct) {
            for (int k = values.length - 1; k >= 0; k--) {
                out.write(0x24);
                Leb128.writeU32(out, regs.global(values[k], r.valueSlots[e][k]));
            }
        }
        if (r.hasCode) {
            out.write(0x41);
            Leb128.writeS64(out, e);
            out.write(0x21);
            Leb128.writeU32(out, code);
            out.write(0x0C);
            Leb128.writeU32(out, ctx.label(SAVE));
        }
    }

    private void emit(List<Node> nodes, Context ctx, ByteArrayOutputStream out) {
        for (Node node : nodes) {
            if (node instanceof SplitPlanner.Ins) {
                instruction(node.first, ctx, out);
            } else if (node instanceof SplitPlanner.Entry) {
                var e = (SplitPlanner.Entry) node;
                out.write(0x41);
                Leb128.writeS64(out, e.value);
                if (e.target >= 0) {
                    out.write(0x0C);
                    Leb128.writeU32(out, ctx.label(e.target));
                }
            } else if (node instanceof Construct) {
                var c = (Construct) node;
                if (c.header != null) {
                    out.writeBytes(c.header);
                } else {
                    out.write(s.wasm, s.start(c.first), s.end(c.first) - s.start(c.first));
                }
                ctx.push(c.id, NONE);
                emit(c.body, ctx, out);
                if (c.elseBody != null) {
                    out.write(0x05);
                    emit(c.elseBody, ctx, out);
                }
                out.write(0x0B);
                ctx.pop();
            } else {
                callSite(((Call) node).region, ctx, out);
            }
        }
    }

    private void instruction(int i, Context ctx, ByteArrayOutputStream out) {
        OpCode op = s.op(i);
        switch (op) {
            case LOCAL_GET:
            case LOCAL_SET:
            case LOCAL_TEE:
                out.write(op.opcode());
                Leb128.writeU32(out, ctx.local((int) s.ins.get(i).operand(0)));
                return;
            case BR:
            case BR_IF:
                out.write(op.opcode());
                Leb128.writeU32(out, ctx.label(s.targets[i][0]));
                return;
            case BR_TABLE: {
                int[] t = s.targets[i];
                out.write(0x0E);
                Leb128.writeU32(out, t.length - 1);
                for (int target : t) {
                    Leb128.writeU32(out, ctx.label(target));
                }
                return;
            }
            case RETURN:
                if (ctx.helper) {
                    out.write(0x0C);
                    Leb128.writeU32(out, ctx.label(SplitShape.FUNCTION));
                    return;
                }
                break;
            default:
                break;
        }
        out.write(s.wasm, s.start(i), s.end(i) - s.start(i));
    }

    /** The code that replaces a run: pass the locals in, call, take the locals back, go where the helper went. */
    private void callSite(Region r, Context ctx, ByteArrayOutputStream out) {
        for (int k = 0; k < r.spillLocals.length; k++) {
            int x = r.spillLocals[k];
            out.write(0x20);
            Leb128.writeU32(out, ctx.local(x));
            out.write(0x24);
            Leb128.writeU32(out, regs.global(s.localTypes[x], r.spillSlots[k]));
        }
        for (int x : r.paramLocals) {
            out.write(0x20);
            Leb128.writeU32(out, ctx.local(x));
        }
        out.write(0x10);
        Leb128.writeU32(out, r.helperFunction);
        if (r.hasCode) {
            out.write(0x21);
            Leb128.writeU32(out, ctx.local(p.codeTemp));
        } else if (r.directLocal >= 0) {
            out.write(0x21);
            Leb128.writeU32(out, ctx.local(r.directLocal));
        }
        if (!r.direct) {
            for (int k = 0; k < r.outLocals.length; k++) {
                int x = r.outLocals[k];
                out.write(0x23);
                Leb128.writeU32(out, regs.global(s.localTypes[x], r.outSlots[k]));
                out.write(0x21);
                Leb128.writeU32(out, ctx.local(x));
            }
        }
        byte[][] values = exitValues(r);
        int m = r.exits.length;
        if (r.hasCode) {
            // block $fall block $exit1 ... block $exitm (br_table on the code) end ... per exit: its values, br
            for (int k = 0; k <= m; k++) {
                out.writeBytes(new byte[] {0x02, 0x40});
                ctx.push(ANONYMOUS, NONE);
            }
            out.write(0x20);
            Leb128.writeU32(out, ctx.local(p.codeTemp));
            out.write(0x0E);
            Leb128.writeU32(out, m + 1);
            Leb128.writeU32(out, m); // code 0: fall through
            for (int t = 1; t <= m; t++) {
                Leb128.writeU32(out, m - t);
            }
            Leb128.writeU32(out, m); // default: never taken
            for (int t = m; t >= 1; t--) {
                out.write(0x0B);
                ctx.pop();
                fetch(values[t], r.valueSlots[t], out);
                out.write(0x0C);
                Leb128.writeU32(out, ctx.label(r.exits[t - 1]));
            }
            out.write(0x0B);
            ctx.pop();
            if (r.results != null) {
                fetch(values[0], r.valueSlots[0], out);
            } else {
                out.write(0x00); // the helper never falls through: nor does its call
            }
        } else if (m == 1) {
            if (!r.direct) {
                fetch(values[1], r.valueSlots[1], out);
            }
            out.write(0x0C);
            Leb128.writeU32(out, ctx.label(r.exits[0]));
        } else if (r.results != null && !r.direct) {
            fetch(values[0], r.valueSlots[0], out);
        } else if (r.results == null) {
            out.write(0x00); // the run never ends normally (it traps or throws): nor does its call
        }
    }

    private void fetch(byte[] values, int[] slots, ByteArrayOutputStream out) {
        for (int k = 0; k < values.length; k++) {
            out.write(0x23);
            Leb128.writeU32(out, regs.global(values[k], slots[k]));
        }
    }

    private byte[] blockType(byte[] results) {
        if (results.length == 0) {
            return new byte[] {0x40};
        }
        if (results.length == 1) {
            return results;
        }
        var out = new ByteArrayOutputStream(5);
        Leb128.writeS64(out, types.index(new byte[0], results));
        return out.toByteArray();
    }

    private byte[] localTypes(int[] locals) {
        byte[] out = new byte[locals.length];
        for (int k = 0; k < locals.length; k++) {
            out[k] = s.localTypes[locals[k]];
        }
        return out;
    }

    /** Local declarations, run-length encoded. */
    static void writeLocals(ByteArrayOutputStream out, byte[] declared) {
        int groups = 0;
        for (int k = 0; k < declared.length; k++) {
            if (k == 0 || declared[k] != declared[k - 1]) {
                groups++;
            }
        }
        Leb128.writeU32(out, groups);
        int k = 0;
        while (k < declared.length) {
            int j = k;
            while (j < declared.length && declared[j] == declared[k]) {
                j++;
            }
            Leb128.writeU32(out, j - k);
            out.write(declared[k]);
            k = j;
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
