package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.types.Element;
import com.dylibso.chicory.wasm.types.MutabilityType;
import dev.corral.PluginSnapshot;
import dev.corral.spi.Capability;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a Chicory instance holds that a guest can change, taken at one moment: memories (see
 * {@link FlatMemory.Image}), mutable globals, tables, element segments (dropped or not), plus the
 * plugin's fuel counters and its capabilities' snapshots. Restoring writes back only what may
 * differ; memory, the big part, costs the chunks written since the last snapshot or restore.
 */
final class InstanceSnapshot implements PluginSnapshot {
    final ChicoryPlugin owner;
    private final FlatMemory.Image[] memories;
    private final int[] mutableGlobals;
    private final long[] lows;
    private final long[] highs;
    private final BoundedTable.Image[] tables;
    private final Element[] elements;
    private final List<Capability.Snapshot> capabilities;
    final long totalConsumed;
    final long lastConsumed;
    final long pendingFuel;

    private InstanceSnapshot(ChicoryPlugin owner, FlatMemory.Image[] memories, int[] mutableGlobals, long[] lows, long[] highs,
            BoundedTable.Image[] tables, Element[] elements, List<Capability.Snapshot> capabilities,
            long totalConsumed, long lastConsumed, long pendingFuel) {
        this.owner = owner;
        this.memories = memories;
        this.mutableGlobals = mutableGlobals;
        this.lows = lows;
        this.highs = highs;
        this.tables = tables;
        this.elements = elements;
        this.capabilities = capabilities;
        this.totalConsumed = totalConsumed;
        this.lastConsumed = lastConsumed;
        this.pendingFuel = pendingFuel;
    }

    /** Which memories, globals and tables of {@code instance} a snapshot covers; computed once per plugin. */
    static final class Layout {
        final int memoryCount;
        final int[] mutableGlobals;
        final int tableCount;

        Layout(Instance instance, int memoryCount) {
            this.memoryCount = memoryCount;
            var mutable = new ArrayList<Integer>();
            for (int i = 0; i < instance.globalCount(); i++) {
                if (instance.global(i).getMutabilityType() == MutabilityType.Var) {
                    mutable.add(i);
                }
            }
            this.mutableGlobals = mutable.stream().mapToInt(Integer::intValue).toArray();
            this.tableCount = instance.tableCount();
        }
    }

    /** The image of memory {@code i}, if this snapshot has one. */
    FlatMemory.Image memory(int i) {
        return i < memories.length ? memories[i] : null;
    }

    static InstanceSnapshot take(ChicoryPlugin owner, Instance instance, Layout layout, List<Capability.Binding> bindings,
            long totalConsumed, long lastConsumed, long pendingFuel, InstanceSnapshot like) {
        var memories = new FlatMemory.Image[layout.memoryCount];
        for (int i = 0; i < memories.length; i++) {
            memories[i] = flat(instance.memory(i), owner).snapshot(like == null ? null : like.memory(i));
        }
        int[] globals = layout.mutableGlobals;
        long[] lows = new long[globals.length];
        long[] highs = new long[globals.length];
        for (int i = 0; i < globals.length; i++) {
            GlobalInstance g = instance.global(globals[i]);
            lows[i] = g.getValueLow();
            highs[i] = g.getValueHigh();
        }
        var tables = new BoundedTable.Image[layout.tableCount];
        for (int i = 0; i < tables.length; i++) {
            tables[i] = bounded(instance.table(i), owner).snapshot();
        }
        var elements = new Element[instance.elementCount()];
        for (int i = 0; i < elements.length; i++) {
            elements[i] = instance.element(i);
        }
        var caps = new ArrayList<Capability.Snapshot>(bindings.size());
        for (var b : bindings) {
            caps.add(b.snapshot());
        }
        return new InstanceSnapshot(owner, memories, globals, lows, highs, tables, elements, List.copyOf(caps),
                totalConsumed, lastConsumed, pendingFuel);
    }

    void restoreInto(Instance instance) {
        for (int i = 0; i < memories.length; i++) {
            ((FlatMemory) instance.memory(i)).restore(memories[i]);
        }
        for (int i = 0; i < mutableGlobals.length; i++) {
            GlobalInstance g = instance.global(mutableGlobals[i]);
            g.setValueLow(lows[i]);
            g.setValueHigh(highs[i]);
        }
        for (int i = 0; i < tables.length; i++) {
            ((BoundedTable) instance.table(i)).restore(tables[i]);
        }
        for (int i = 0; i < elements.length; i++) {
            if (instance.element(i) != elements[i]) {
                instance.setElement(i, elements[i]);
            }
        }
        for (var c : capabilities) {
            c.restore();
        }
    }

    private static FlatMemory flat(Memory m, ChicoryPlugin owner) {
        if (!(m instanceof FlatMemory)) {
            throw new UnsupportedOperationException("plugin '" + owner.name()
                    + "' has a shared (threads) memory, which cannot be snapshotted");
        }
        return (FlatMemory) m;
    }

    private static BoundedTable bounded(TableInstance t, ChicoryPlugin owner) {
        if (!(t instanceof BoundedTable)) {
            throw new UnsupportedOperationException("plugin '" + owner.name() + "' has an imported table, which cannot be snapshotted");
        }
        return (BoundedTable) t;
    }

    @Override
    public String pluginName() {
        return owner.name();
    }

    @Override
    public int memoryPages() {
        return memories.length == 0 ? 0 : memories[0].pages;
    }

    @Override
    public String toString() {
        return "PluginSnapshot[" + owner.name() + ", " + memoryPages() + " pages]";
    }
}
