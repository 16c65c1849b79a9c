package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Decides where one function is cut (SPLITTING.md). The body becomes a tree of nodes (plain
 * instructions and constructs); outlining replaces a run of sibling nodes with a {@link Call} of a
 * new helper function that holds them. Runs are chosen greedily, largest first, each no larger
 * than {@link #helperBudget}, until the function's estimated JVM code fits {@link #budget}. A run
 * may contain calls outlined before it, so a dispatch loop whose every arm is small is cut a level
 * higher.
 *
 * <p>Everything is decided on the original body: stack heights and types at a run's edges, where
 * its branches go and which locals are live there. An outlined call has exactly the stack effect
 * of its run, reads a superset of what the run read before writing and writes a subset of what it
 * wrote, so these facts stay true as the tree changes.
 */
final class SplitPlanner {
    /** A node of the body's tree: instructions {@code first..last} of the original body. */
    abstract static class Node {
        int first;
        int last;
        int size;
        /** Part of a switch rewrite ({@link SplitSwitches}): never moved by a window. */
        boolean pinned;
    }

    static final class Ins extends Node {
        Ins(int i, int size) {
            first = last = i;
            this.size = size;
        }
    }

    static final class Construct extends Node {
        final List<Node> body = new ArrayList<>();
        /** An if's else arm, or null. */
        List<Node> elseBody;
        /** The label branches name: the opener's index, or a number past the body for an added block. */
        int id;
        /** An added block's opener bytes (block and type); null: the original opener's. */
        byte[] header;
    }

    /** Added code: {@code i32.const value}, then a branch to {@code target} unless it is -1. */
    static final class Entry extends Node {
        final int value;
        final int target;

        Entry(int value, int target) {
            this.value = value;
            this.target = target;
            this.size = target >= 0 ? 5 : 2;
            this.pinned = true;
            this.first = this.last = -1;
        }
    }

    static final class Call extends Node {
        final Region region;

        Call(Region region) {
            this.region = region;
            first = region.first;
            last = region.last;
        }
    }

    /** A run moved into a helper, and what crosses its edges. */
    static final class Region {
        List<Node> items;
        int first;
        int last;
        /** Values the run takes from the stack under it: the helper's first parameters. */
        byte[] stackParams;
        /** Values the run leaves when it falls through, or null when it never does. */
        byte[] results;
        /** Locals of the function passed in (after the stack values), and handed back. */
        int[] paramLocals;
        int[] outLocals;
        /** Locals passed in through registers, beyond the parameters HotSpot compiles well. */
        int[] spillLocals = new int[0];
        int[] spillSlots = new int[0];
        /** Labels outside the run its branches go to (openers, or {@link SplitShape#FUNCTION}). */
        int[] exits;
        /** More than one way out: the helper returns which one was taken. */
        boolean hasCode;
        /** Exactly one value comes out (a result, or one local): it is the helper's result. */
        boolean direct;
        /** For a direct helper handing back one local: that local, else -1. */
        int directLocal = -1;
        /** Locals the run touches that are neither parameters nor handed back. */
        int[] innerLocals;
        /** Register slots: per out local, and per exit (0 = fall-through) per value. */
        int[] outSlots;
        int[][] valueSlots;
        /** Assigned when the module is rebuilt. */
        int helperFunction = -1;
        /**
         * A switch group ({@link SplitSwitches}): the arms it runs, and the openers of the blocks
         * after which each one starts (the helper rebuilds those blocks); null for a plain run.
         */
        List<List<Node>> arms;
        int[] levels;

        int exitCount() {
            return exits.length + (results != null ? 1 : 0);
        }
    }

    final SplitShape s;
    final SplitLiveness live;
    final JvmSizeEstimate est;
    final List<Node> top = new ArrayList<>();
    final List<Region> regions = new ArrayList<>();
    /** The caller's scratch local for a helper's exit code (one past the function's own locals). */
    final int codeTemp;
    final int budget;
    final int helperBudget;
    /** Why the function could not be brought under budget, or null. */
    String failure;

    /** Largest JVM slot count of a helper's parameters: above 253 Chicory passes them boxed. */
    static final int MAX_PARAM_SLOTS = 200;
    /**
     * Most parameters a helper takes: HotSpot's C2 gives up on a method that calls (or is) a
     * method with more than ~52 arguments ("unsupported calling sequence") and leaves it to C1.
     */
    static final int MAX_ARGS = 44;

    SplitPlanner(SplitShape shape, int budget, int helperBudget) {
        this.s = shape;
        this.live = new SplitLiveness(shape);
        this.est = new JvmSizeEstimate(shape);
        this.codeTemp = shape.localTypes.length;
        this.budget = budget;
        this.helperBudget = helperBudget;
        int[] pos = {0};
        build(top, pos, s.n - 1);
    }

    /** Nodes from {@code pos[0]} up to (excluding) the instruction that closes the body at {@code stop}. */
    private void build(List<Node> into, int[] pos, int stop) {
        while (pos[0] < stop) {
            int i = pos[0];
            OpCode op = s.op(i);
            if (op == OpCode.ELSE || op == OpCode.END) {
                return;
            }
            if (s.isOpener(i)) {
                var c = new Construct();
                c.id = i;
                c.first = i;
                c.last = s.match[i];
                pos[0] = i + 1;
                build(c.body, pos, c.last);
                if (s.op(pos[0]) == OpCode.ELSE) {
                    c.elseBody = new ArrayList<>();
                    pos[0]++;
                    build(c.elseBody, pos, c.last);
                }
                if (pos[0] != c.last) {
                    throw new IllegalStateException("construct at " + i + " ends at " + pos[0] + ", expected " + c.last);
                }
                pos[0] = c.last + 1;
                into.add(c);
            } else {
                into.add(new Ins(i, est.of(i)));
                pos[0] = i + 1;
            }
        }
    }

    int size() {
        return est.prologue() + 3 + size(top);
    }

    private int size(List<Node> nodes) {
        int total = 0;
        for (Node node : nodes) {
            if (node instanceof Construct) {
                var c = (Construct) node;
                c.size = c.header != null ? size(c.body)
                        : est.of(c.first) + est.of(c.last) + (c.elseBody != null ? est.of(s.elseOf[c.first]) + size(c.elseBody) : 0)
                        + size(c.body);
            }
            total += node.size;
        }
        return total;
    }

    /** Outlines runs until the function fits; false (with {@link #failure}) when it cannot. */
    boolean plan() {
        if (size() > budget) {
            new SplitSwitches(this).outline();
        }
        while (size() > budget) {
            if (!outlineOne()) {
                failure = "no run left to move out (estimated " + size() + " bytes of JVM code)";
                return false;
            }
        }
        return true;
    }

    private static final class Window {
        final List<Node> list;
        final int from;
        final int to;
        final int size;

        Window(List<Node> list, int from, int to, int size) {
            this.list = list;
            this.from = from;
            this.to = to;
            this.size = size;
        }
    }

    /** Smallest run worth a call: 200 bytes, less when the budget itself is tiny (tests). */
    private int minRun() {
        return Math.min(200, helperBudget / 3);
    }

    private boolean outlineOne() {
        List<Window> windows = new ArrayList<>();
        collect(top, 0, true, windows);
        return outlineBest(windows);
    }

    /** Outlines runs from {@code list[from..]} (and below) until those nodes fit {@code target}. */
    void shrink(List<Node> list, int from, int target) {
        while (true) {
            int total = 0;
            for (int i = from; i < list.size(); i++) {
                total += list.get(i).size;
            }
            if (total <= target) {
                return;
            }
            List<Window> windows = new ArrayList<>();
            collect(list, from, true, windows);
            if (!outlineBest(windows)) {
                return;
            }
            size();
        }
    }

    /**
     * Outlines the largest window that can move. A window that cannot (too many parameters, or too
     * large once the helper's own code is added) is retried one node shorter.
     */
    private boolean outlineBest(List<Window> windows) {
        var queue = new java.util.PriorityQueue<Window>(Comparator.comparingInt((Window w) -> -w.size));
        queue.addAll(windows);
        int tries = 0;
        while (!queue.isEmpty() && tries++ < 20_000) {
            Window w = queue.poll();
            Region r = analyse(w.list.subList(w.from, w.to));
            if (r != null) {
                int callSize = callSiteSize(r);
                if (w.size - callSize >= minRun() / 2 && w.size + helperOverhead(r) <= helperBudget + helperBudget / 8) {
                    r.items = new ArrayList<>(r.items);
                    var call = new Call(r);
                    call.size = callSize;
                    w.list.subList(w.from, w.to).clear();
                    w.list.add(w.from, call);
                    regions.add(r);
                    return true;
                }
            }
            int shorter = w.size - w.list.get(w.to - 1).size;
            if (w.to - 1 > w.from && shorter >= minRun()) {
                queue.add(new Window(w.list, w.from, w.to - 1, shorter));
            }
        }
        return false;
    }

    /** For every start in every body: the longest run from there that fits a helper. */
    private void collect(List<Node> list, int from, boolean topLevel, List<Window> out) {
        int j = from;
        int sum = 0;
        for (int i = from; i < list.size(); i++) {
            if (j < i) {
                j = i;
                sum = 0;
            }
            while (j < list.size() && !list.get(j).pinned && sum + list.get(j).size <= helperBudget) {
                sum += list.get(j).size;
                j++;
            }
            boolean whole = topLevel && i == from && j == list.size();
            if (j > i && sum >= minRun() && !whole && s.height[list.get(i).first] >= 0) {
                out.add(new Window(list, i, j, sum));
            }
            if (j > i) {
                sum -= list.get(i).size;
            }
        }
        for (Node node : list.subList(from, list.size())) {
            if (node instanceof Construct) {
                var c = (Construct) node;
                collect(c.body, 0, false, out);
                if (c.elseBody != null) {
                    collect(c.elseBody, 0, false, out);
                }
            }
        }
    }

    /** Marks constructs holding pinned nodes as pinned; true if {@code nodes} hold any. */
    static boolean pin(List<Node> nodes) {
        boolean any = false;
        for (Node node : nodes) {
            if (node instanceof Construct) {
                var c = (Construct) node;
                boolean inner = pin(c.body) | (c.elseBody != null && pin(c.elseBody));
                c.pinned |= inner;
            }
            any |= node.pinned;
        }
        return any;
    }

    /** What crosses the edges of a run, or null when it cannot be moved. */
    Region analyse(List<Node> items) {
        var r = new Region();
        r.items = items;
        r.first = items.get(0).first;
        r.last = items.get(items.size() - 1).last;
        int start = r.first;
        int h0 = s.height[start];
        if (h0 < 0) {
            return null;
        }
        // values taken from under the run: the lowest its own level of the stack goes
        int low = h0;
        for (Node node : items) {
            int h = s.height[node.first];
            if (h < 0) {
                break; // unreachable from here to the end of the body
            }
            int pops = node instanceof Call ? ((Call) node).region.stackParams.length : s.pops[node.first];
            low = Math.min(low, h - pops);
        }
        int p = h0 - low;
        r.stackParams = s.topTypes(start, p);
        int after = r.last + 1;
        if (s.height[after] >= 0) {
            r.results = s.topTypes(after, s.height[after] - low);
        }
        // branches leaving the run, and the locals it touches
        TreeSet<Integer> exits = new TreeSet<>();
        BitSet reads = new BitSet();
        BitSet writes = new BitSet();
        int first = r.first;
        int last = r.last;
        scan(items, t -> t >= first && t <= last, exits, reads, writes);
        return finish(r, exits, reads, writes, r.results != null ? live.liveAt(after) : new BitSet());
    }

    /** Completes {@code r} from its exits and local accesses: what goes in, what comes out, how. */
    Region finish(Region r, TreeSet<Integer> exits, BitSet reads, BitSet writes, BitSet liveOut) {
        r.exits = exits.stream().mapToInt(Integer::intValue).toArray();
        for (int t : r.exits) {
            liveOut.or(live.liveAtLabel(t));
        }
        BitSet outs = (BitSet) writes.clone();
        outs.and(liveOut);
        outs.clear(codeTemp, Integer.MAX_VALUE); // the scratch local is never live across a call
        BitSet params = (BitSet) reads.clone();
        params.or(outs);
        params.clear(codeTemp, Integer.MAX_VALUE);
        int[] all = params.stream().toArray();
        int room = Math.max(0, MAX_ARGS - r.stackParams.length);
        if (all.length > room) {
            // the rest travel in registers: written before the call, read first thing in the helper
            r.paramLocals = java.util.Arrays.copyOf(all, room);
            r.spillLocals = java.util.Arrays.copyOfRange(all, room, all.length);
            for (int x : r.spillLocals) {
                params.clear(x);
            }
        } else {
            r.paramLocals = all;
        }
        r.outLocals = outs.stream().toArray();
        BitSet inner = (BitSet) reads.clone();
        inner.or(writes);
        inner.andNot(params);
        r.innerLocals = inner.stream().toArray();
        int slots = 0;
        for (byte t : r.stackParams) {
            slots += t == SplitShape.I64 || t == SplitShape.F64 ? 2 : 1;
        }
        for (int x : r.paramLocals) {
            slots += s.localTypes[x] == SplitShape.I64 || s.localTypes[x] == SplitShape.F64 ? 2 : 1;
        }
        if (slots > MAX_PARAM_SLOTS || r.stackParams.length > MAX_ARGS) {
            return null;
        }
        r.hasCode = r.exitCount() > 1;
        if (!r.hasCode) {
            int values = r.results != null ? r.results.length : r.exits.length == 1 ? s.labelTypes(r.exits[0]).length : 0;
            if (values + r.outLocals.length == 1) {
                r.direct = true;
                r.directLocal = values == 0 ? r.outLocals[0] : -1;
            }
        }
        return r;
    }

    /** Collects exits (targets that are not {@code internal}) and local accesses of {@code nodes}. */
    void scan(List<Node> nodes, java.util.function.IntPredicate internal, TreeSet<Integer> exits, BitSet reads, BitSet writes) {
        for (Node node : nodes) {
            if (node instanceof Ins) {
                int i = node.first;
                OpCode op = s.op(i);
                if (op == OpCode.LOCAL_GET) {
                    reads.set((int) s.ins.get(i).operand(0));
                } else if (op == OpCode.LOCAL_SET || op == OpCode.LOCAL_TEE) {
                    writes.set((int) s.ins.get(i).operand(0));
                }
                if (s.targets[i] != null) {
                    for (int t : s.targets[i]) {
                        if (t == SplitShape.FUNCTION || !internal.test(t)) {
                            exits.add(t);
                        }
                    }
                }
            } else if (node instanceof Entry) {
                if (((Entry) node).target >= 0) {
                    throw new IllegalStateException("a switch entry cannot move");
                }
            } else if (node instanceof Construct) {
                var c = (Construct) node;
                scan(c.body, internal, exits, reads, writes);
                if (c.elseBody != null) {
                    scan(c.elseBody, internal, exits, reads, writes);
                }
            } else {
                Region inner = ((Call) node).region;
                for (int x : inner.paramLocals) {
                    reads.set(x);
                }
                for (int x : inner.spillLocals) {
                    reads.set(x);
                }
                for (int x : inner.outLocals) {
                    writes.set(x);
                }
                if (inner.hasCode) {
                    writes.set(codeTemp);
                }
                for (int t : inner.exits) {
                    if (t == SplitShape.FUNCTION || !internal.test(t)) {
                        exits.add(t);
                    }
                }
            }
        }
    }

    /** Estimated JVM bytes of the code that replaces a run. */
    int callSiteSize(Region r) {
        int size = 8 + 2 * r.paramLocals.length + 9 * r.spillLocals.length + (r.hasCode ? 2 : 0);
        if (!r.direct) {
            size += 9 * r.outLocals.length;
        } else if (r.directLocal >= 0) {
            size += 2;
        }
        int m = r.exits.length;
        int values = 0;
        for (int t : r.exits) {
            values += s.labelTypes(t).length;
        }
        if (r.hasCode) {
            size += 2 + 16 + 4 * (m + 2) + 7 * values + 3 * m + 1;
        } else if (m == 1) {
            size += (r.direct ? 0 : 7 * values) + 3;
        }
        if (r.results != null && !r.direct) {
            size += 7 * r.results.length;
        }
        return size;
    }

    /** Estimated JVM bytes a helper adds around the run it holds. */
    int helperOverhead(Region r) {
        int values = r.results != null ? r.results.length : 0;
        for (int t : r.exits) {
            values += s.labelTypes(t).length;
        }
        return 10 + r.stackParams.length + 3 * (r.innerLocals.length + (r.hasCode ? 1 : 0)) + 9 * (r.outLocals.length + r.spillLocals.length)
                + 7 * values + (r.hasCode ? 8 * (r.exits.length + 1) : 0);
    }
}
