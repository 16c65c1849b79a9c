package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.OpCode;
import dev.corral.internal.chicory.SplitPlanner.Call;
import dev.corral.internal.chicory.SplitPlanner.Construct;
import dev.corral.internal.chicory.SplitPlanner.Entry;
import dev.corral.internal.chicory.SplitPlanner.Ins;
import dev.corral.internal.chicory.SplitPlanner.Node;
import dev.corral.internal.chicory.SplitPlanner.Region;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Splits the dispatch of an interpreter loop. A C {@code switch} compiles to a nest of blocks
 * with a {@code br_table} innermost: {@code block $c1 ... block $cn (br_table ...) end arm1 ...
 * end armN}, and that nest is most of an interpreter's main function (QuickJS: 234 arms, 48 KB
 * of JVM code). No run of siblings holds a few arms without the {@code br_table} (each arm sits
 * one block deeper than the next), so the plain planner can only move the table with its arms,
 * and every dispatch then crosses a dozen helpers.
 *
 * <p>Instead, consecutive arms {@code a..b} move into one helper that rebuilds their blocks and
 * dispatches on an entry number: {@code block $cb ... block $ca (br_table on the entry) end arm_a
 * ... end arm_b}. In the function, each moved arm becomes {@code i32.const k; br $g}, where
 * {@code $g} is a block added around {@code $cb} whose end calls the helper with {@code k}: the
 * {@code br_table} and the arms kept stay where they were, and one dispatch costs one call.
 * Branches between arms of a group stay inside the helper; any other is an exit, as for runs.
 */
final class SplitSwitches {
    /** A switch worth this: a br_table with at least this many targets, and blocks around it. */
    static final int MIN_TARGETS = 16;

    private final SplitPlanner p;
    private final SplitShape s;
    private final Map<Integer, Construct> constructs = new HashMap<>();
    private final Map<Integer, List<Node>> containing = new HashMap<>();
    private final Set<Integer> tables = new HashSet<>();
    private int nextId;

    SplitSwitches(SplitPlanner planner) {
        this.p = planner;
        this.s = planner.s;
        this.nextId = s.n + 1;
    }

    /** Moves the arms of every large switch nest into groups; returns how many groups it made. */
    int outline() {
        int groups = 0;
        index(p.top);
        for (int i = 0; i < s.n; i++) {
            if (s.op(i) != OpCode.BR_TABLE || !tables.contains(i) || new HashSet<>(asList(s.targets[i])).size() < MIN_TARGETS) {
                continue;
            }
            groups += outline(i);
            constructs.clear();
            containing.clear();
            tables.clear();
            index(p.top);
        }
        SplitPlanner.pin(p.top);
        return groups;
    }

    private static List<Integer> asList(int[] a) {
        List<Integer> out = new ArrayList<>(a.length);
        for (int x : a) {
            out.add(x);
        }
        return out;
    }

    private void index(List<Node> list) {
        for (Node node : list) {
            if (node instanceof Construct) {
                var c = (Construct) node;
                if (c.header == null) {
                    constructs.put(c.id, c);
                    containing.put(c.id, list);
                }
                index(c.body);
                if (c.elseBody != null) {
                    index(c.elseBody);
                }
            } else if (node instanceof Ins && s.op(node.first) == OpCode.BR_TABLE) {
                tables.add(node.first);
            }
        }
    }

    /** The blocks around the br_table at {@code table}, innermost first, up to the first that is not a plain block or if. */
    private List<Integer> levels(int table) {
        List<Integer> levels = new ArrayList<>();
        for (int c = s.parent[table]; c >= 0; c = s.parent[c]) {
            Construct node = constructs.get(c);
            // an if without else nests like a block: a branch to it, or falling off its body, lands after it
            boolean nests = s.op(c) == OpCode.BLOCK || (s.op(c) == OpCode.IF && s.elseOf[c] < 0);
            if (node == null || node.pinned || !nests || s.params[c].length != 0 || s.height[c] < 0) {
                break;
            }
            levels.add(c);
        }
        return levels;
    }

    /**
     * Whether the arm after block {@code level} can move: it starts with nothing of its own on the
     * stack (the block leaves no results, and nothing was left under it).
     */
    private boolean movable(int level) {
        int start = s.match[level] + 1;
        int outer = s.parent[level];
        // the height where the outer construct's body starts: an if has taken its condition
        int base = outer == SplitShape.FUNCTION ? 0 : s.height[outer] - (s.op(outer) == OpCode.IF ? 1 : 0);
        return s.results[level].length == 0 && s.height[start] >= 0 && s.height[start] == base;
    }

    private List<Node> arm(int level) {
        List<Node> list = containing.get(level);
        int at = list.indexOf(constructs.get(level));
        return list.subList(at + 1, list.size());
    }

    private int outline(int table) {
        List<Integer> levels = levels(table);
        if (levels.size() < MIN_TARGETS / 2) {
            return 0;
        }
        int budget = p.helperBudget;
        // an arm too large for a helper of its own is cut down first, like any function
        for (int level : levels) {
            List<Node> list = containing.get(level);
            int from = list.indexOf(constructs.get(level)) + 1;
            p.shrink(list, from, budget * 3 / 4);
        }
        p.size();
        List<int[]> groups = new ArrayList<>();
        int a = -1;
        int size = 0;
        BitSet touched = new BitSet();
        for (int k = 0; k <= levels.size(); k++) {
            // an arm after a block with results starts with values on the stack: it stays
            boolean movable = k < levels.size() && movable(levels.get(k));
            BitSet locals = movable ? locals(arm(levels.get(k))) : new BitSet();
            int armSize = movable ? size(arm(levels.get(k))) : 0;
            BitSet union = (BitSet) touched.clone();
            union.or(locals);
            if (a >= 0 && (!movable || size + armSize > budget || union.cardinality() > SplitPlanner.MAX_ARGS - 1)) {
                groups.add(new int[] {a, k - 1});
                a = -1;
            }
            if (movable && a < 0) {
                a = k;
                size = 0;
                union = locals;
            }
            size += armSize;
            touched = union;
        }
        int made = 0;
        // innermost groups first: each rewrite leaves the lists of the levels outside it alone
        for (int[] g : groups) {
            // the group's last level gets wrapped in the dispatch block: an if cannot be, its
            // condition is already on the stack outside (Ruby 3.4's func 6920 came out invalid)
            int last = g[1];
            while (last >= g[0] && s.op(levels.get(last)) == OpCode.IF) {
                last--;
            }
            if (last < g[0]) {
                continue;
            }
            Region r = group(levels, g[0], last);
            if (r != null) {
                rewrite(levels, g[0], last, r);
                made++;
            }
        }
        return made;
    }

    private int size(List<Node> nodes) {
        int total = 0;
        for (Node n : nodes) {
            total += n.size;
        }
        return total;
    }

    private BitSet locals(List<Node> nodes) {
        BitSet reads = new BitSet();
        BitSet writes = new BitSet();
        p.scan(nodes, t -> true, new TreeSet<>(), reads, writes);
        reads.or(writes);
        reads.clear(p.codeTemp, Integer.MAX_VALUE);
        return reads;
    }

    /** The region of arms {@code a..b}: what they read, write, and where they leave to. */
    private Region group(List<Integer> levels, int a, int b) {
        var r = new Region();
        r.levels = new int[b - a + 1];
        r.arms = new ArrayList<>();
        Set<Integer> inner = new HashSet<>();
        List<int[]> spans = new ArrayList<>();
        for (int k = a; k <= b; k++) {
            int level = levels.get(k);
            r.levels[k - a] = level;
            r.arms.add(new ArrayList<>(arm(level)));
            if (k > a) {
                inner.add(level);
            }
            // the arm's own code: from this block's end to the end of the block around it
            int outer = s.parent[level];
            spans.add(new int[] {s.match[level] + 1, outer == SplitShape.FUNCTION ? s.n - 1 : s.match[outer]});
        }
        java.util.function.IntPredicate internal = t -> {
            if (inner.contains(t)) {
                return true;
            }
            for (int[] span : spans) {
                if (t >= span[0] && t < span[1]) {
                    return true;
                }
            }
            return false;
        };
        r.first = levels.get(b);
        r.last = s.match[levels.get(b)];
        r.stackParams = new byte[] {SplitShape.I32};
        r.items = new ArrayList<>();
        TreeSet<Integer> exits = new TreeSet<>();
        BitSet reads = new BitSet();
        BitSet writes = new BitSet();
        for (List<Node> arm : r.arms) {
            r.items.addAll(arm);
            p.scan(arm, internal, exits, reads, writes);
        }
        // falling off the last arm reaches the end of the construct holding it
        int outer = s.parent[levels.get(b)];
        List<Node> lastArm = r.arms.get(r.arms.size() - 1);
        int afterLast = lastArm.isEmpty() ? s.match[levels.get(b)] + 1 : lastArm.get(lastArm.size() - 1).last + 1;
        if (lastArm.stream().anyMatch(n -> n.pinned || n instanceof Entry)) {
            return null;
        }
        if (s.height[afterLast] >= 0) {
            if (outer != SplitShape.FUNCTION && s.op(outer) == OpCode.LOOP) {
                return null; // falling out of a loop body is no branch: leave this switch alone
            }
            exits.add(outer);
        }
        return p.finish(r, exits, reads, writes, new BitSet());
    }

    /** Replaces arms {@code a..b} in the function with entries into the group's helper. */
    private void rewrite(List<Integer> levels, int a, int b, Region r) {
        int g = nextId++;
        for (int k = a; k < b; k++) {
            List<Node> arm = arm(levels.get(k));
            arm.clear();
            arm.add(new Entry(k - a, g));
        }
        int last = levels.get(b);
        List<Node> list = containing.get(last);
        Construct inner = constructs.get(last);
        int at = list.indexOf(inner);
        list.subList(at, list.size()).clear();
        var wrapper = new Construct();
        wrapper.id = g;
        wrapper.header = new byte[] {0x02, SplitShape.I32};
        wrapper.first = inner.first;
        wrapper.last = inner.last;
        wrapper.body.add(inner);
        wrapper.body.add(new Entry(b - a, -1));
        wrapper.pinned = true;
        var call = new Call(r);
        call.size = p.callSiteSize(r);
        call.pinned = true;
        list.add(wrapper);
        list.add(call);
        p.regions.add(r);
    }
}
