package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.corral.ModuleLoadException;
import java.util.ArrayList;
import java.util.List;

/**
 * The pages all memories of one plugin may have together: a policy's {@code maxMemory} bounds
 * their sum, so a module with many memories (multi-memory) gets no more than one with a single
 * memory. Chicory applies its memory-limit override to memory 0 only; this is the memory factory
 * for every memory, and each {@link FlatMemory} asks it before growing. It counts the pages the
 * memories have now rather than keeping a tally, so anything that changes a memory's size
 * directly (a snapshot restore) needs no bookkeeping here.
 */
final class MemoryBudget {
    private final String plugin;
    private final int maxPages;
    private final List<Memory> memories = new ArrayList<>(1);
    private long initialPages;

    MemoryBudget(String plugin, int maxPages) {
        this.plugin = plugin;
        this.maxPages = maxPages;
    }

    /**
     * Chicory's memory factory: each memory keeps its initial size and gets at most the policy's
     * bound as its maximum (never more than it declares); together they may not start over it.
     */
    Memory create(MemoryLimits declared) {
        initialPages += declared.initialPages();
        if (initialPages > maxPages) {
            throw new ModuleLoadException(ModuleLoadException.Reason.LIMITS, "plugin '" + plugin + "' needs " + initialPages
                    + " pages of memory (" + initialPages * 64 + " KiB, all memories together) at start, but its policy allows at most "
                    + maxPages + " pages: raise PluginPolicy.maxMemory");
        }
        // a shared memory becomes a plain one, as memory 0 does: a plugin runs on one thread
        var limits = new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), maxPages));
        var m = new FlatMemory(limits, this);
        memories.add(m);
        return m;
    }

    /** Whether the memories may grow by {@code pages} more in all. */
    boolean allows(long pages) {
        long total = pages;
        for (Memory m : memories) {
            total += m.pages();
        }
        return total <= maxPages;
    }
}
