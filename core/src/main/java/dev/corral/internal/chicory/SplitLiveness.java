package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * Which locals are live (may be read before being written again) at each point of a function:
 * the classic backward dataflow over the body's control flow graph. An outlined region hands
 * back only the locals it writes that are live where it exits, so a helper returns two or three
 * values instead of every temporary it touched.
 */
final class SplitLiveness {
    private final SplitShape s;
    private final int[] blockOf;
    private final int[] first;
    private final int[] last;
    private final BitSet[] liveOut;
    private final int blocks;

    SplitLiveness(SplitShape shape) {
        this.s = shape;
        int n = shape.n;
        blockOf = new int[n];
        int count = 0;
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            if (i == 0 || isControl(i) || isControl(i - 1)) {
                starts[count++] = i;
            }
            blockOf[i] = count - 1;
        }
        blocks = count;
        first = new int[count];
        last = new int[count];
        for (int b = 0; b < count; b++) {
            first[b] = starts[b];
            last[b] = b + 1 < count ? starts[b + 1] - 1 : n - 1;
        }
        BitSet[] use = new BitSet[count];
        BitSet[] def = new BitSet[count];
        for (int b = 0; b < count; b++) {
            use[b] = new BitSet();
            def[b] = new BitSet();
            for (int k = last[b]; k >= first[b]; k--) {
                transfer(k, use[b], def[b]);
            }
        }
        int[][] succ = new int[count][];
        for (int b = 0; b < count; b++) {
            succ[b] = successors(last[b]);
        }
        liveOut = new BitSet[count];
        BitSet[] liveIn = new BitSet[count];
        for (int b = 0; b < count; b++) {
            liveOut[b] = new BitSet();
            liveIn[b] = (BitSet) use[b].clone();
        }
        // predecessors, for the worklist
        int[] predCount = new int[count];
        for (int b = 0; b < count; b++) {
            for (int t : succ[b]) {
                predCount[t]++;
            }
        }
        int[][] pred = new int[count][];
        for (int b = 0; b < count; b++) {
            pred[b] = new int[predCount[b]];
            predCount[b] = 0;
        }
        for (int b = 0; b < count; b++) {
            for (int t : succ[b]) {
                pred[t][predCount[t]++] = b;
            }
        }
        ArrayDeque<Integer> work = new ArrayDeque<>();
        boolean[] queued = new boolean[count];
        for (int b = count - 1; b >= 0; b--) {
            work.add(b);
            queued[b] = true;
        }
        BitSet tmp = new BitSet();
        while (!work.isEmpty()) {
            int b = work.poll();
            queued[b] = false;
            BitSet out = liveOut[b];
            for (int t : succ[b]) {
                out.or(liveIn[t]);
            }
            tmp.clear();
            tmp.or(out);
            tmp.andNot(def[b]);
            tmp.or(use[b]);
            if (!tmp.equals(liveIn[b])) {
                liveIn[b].clear();
                liveIn[b].or(tmp);
                for (int p : pred[b]) {
                    if (!queued[p]) {
                        queued[p] = true;
                        work.add(p);
                    }
                }
            }
        }
    }

    /** The locals live just before instruction {@code pos} ({@code pos == n}: after the body, none). */
    BitSet liveAt(int pos) {
        if (pos >= s.n) {
            return new BitSet();
        }
        int b = blockOf[pos];
        BitSet live = (BitSet) liveOut[b].clone();
        for (int k = last[b]; k >= pos; k--) {
            OpCode op = s.op(k);
            int x = localOf(k);
            if (op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
                live.clear(x);
            } else if (op == OpCode.LOCAL_GET) {
                live.set(x);
            }
        }
        return live;
    }

    /** The live locals where control lands when it branches to {@code opener}. */
    BitSet liveAtLabel(int opener) {
        if (opener == SplitShape.FUNCTION) {
            return new BitSet();
        }
        return liveAt(s.op(opener) == OpCode.LOOP ? opener : s.match[opener]);
    }

    int blockCount() {
        return blocks;
    }

    private int localOf(int k) {
        OpCode op = s.op(k);
        if (op == OpCode.LOCAL_GET || op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
            return (int) s.ins.get(k).operand(0);
        }
        return -1;
    }

    private void transfer(int k, BitSet use, BitSet def) {
        OpCode op = s.op(k);
        if (op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
            int x = localOf(k);
            def.set(x);
            use.clear(x);
        } else if (op == OpCode.LOCAL_GET) {
            use.set(localOf(k));
        }
    }

    private boolean isControl(int i) {
        switch (s.op(i)) {
            case BLOCK:
            case LOOP:
            case IF:
            case ELSE:
            case END:
            case BR:
            case BR_IF:
            case BR_TABLE:
            case RETURN:
            case UNREACHABLE:
                return true;
            default:
                return false;
        }
    }

    private int target(int opener) {
        if (opener == SplitShape.FUNCTION) {
            return -1;
        }
        return blockOf[s.op(opener) == OpCode.LOOP ? opener : s.match[opener]];
    }

    private int[] successors(int k) {
        int n = s.n;
        OpCode op = s.op(k);
        if (!isControl(k)) {
            return k + 1 < n ? new int[] {blockOf[k + 1]} : new int[0];
        }
        switch (op) {
            case BLOCK:
            case LOOP:
                return new int[] {blockOf[k + 1]};
            case IF: {
                int other = s.elseOf[k] >= 0 ? s.elseOf[k] + 1 : s.match[k];
                return new int[] {blockOf[k + 1], blockOf[other]};
            }
            case ELSE:
                return new int[] {blockOf[s.match[s.match[k]]]};
            case END:
                return k + 1 < n ? new int[] {blockOf[k + 1]} : new int[0];
            case BR:
            case BR_TABLE: {
                int[] t = s.targets[k];
                int[] out = new int[t.length];
                int m = 0;
                for (int o : t) {
                    int b = target(o);
                    if (b >= 0) {
                        out[m++] = b;
                    }
                }
                return java.util.Arrays.copyOf(out, m);
            }
            case BR_IF: {
                int b = target(s.targets[k][0]);
                return b >= 0 ? new int[] {b, blockOf[k + 1]} : new int[] {blockOf[k + 1]};
            }
            default:
                return new int[0]; // return, unreachable
        }
    }
}
