package dev.corral.internal.chicory;

import static com.dylibso.chicory.wasm.types.Value.REF_NULL_VALUE;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import java.util.Arrays;

/**
 * A table bounded by the policy, holding its own elements so that it can be snapshotted and
 * restored, shrinking included (Chicory's {@code TableInstance} keeps its arrays private and can
 * only grow). It also keeps its own copy of the limits: Chicory 1.7.5's TableInstance records
 * every grow in the module's shared {@code Table} (its limits' min), so without a copy one
 * instance's growth would become the initial size of every later instance of the module; and its
 * {@code oldSize + size} overflows int into a NegativeArraySizeException for huge requests.
 */
final class BoundedTable extends TableInstance {
    private final TableLimits limits;
    private int[] refs; // capacity may run ahead of size: see grow
    private Instance[] instances;
    private int size;
    /** Set by every change; cleared by snapshot and restore. */
    private boolean modified;
    private Image base;
    /** The tables of one plugin share the policy's bound; null: this table alone. */
    private final Budget budget;

    BoundedTable(Table declared, int maxElements, int initValue) {
        this(declared, maxElements, initValue, null);
    }

    private BoundedTable(Table declared, int maxElements, int initValue, Budget budget) {
        // the superclass's own arrays stay empty: every accessor is overridden
        super(new Table(declared.elementType(), new TableLimits(0, 0), declared.initialize()), initValue);
        this.limits = new TableLimits(declared.limits().min(), Math.min(declared.limits().max(), maxElements));
        int min = (int) declared.limits().min();
        this.refs = new int[min];
        this.instances = new Instance[min];
        this.size = min;
        Arrays.fill(refs, initValue);
        this.budget = budget;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public TableLimits limits() {
        return limits;
    }

    @Override
    public int grow(int delta, int value, Instance instance) {
        int oldSize = size;
        // delta is the guest's u32: anything >= 2^31 arrives negative and cannot fit either
        if (delta < 0 || (long) oldSize + delta > limits.max() || (budget != null && !budget.allows(delta))) {
            return -1;
        }
        int target = oldSize + delta;
        if (target > refs.length) {
            // with headroom (half the size again, within the maximum), so a guest growing one
            // element at a time copies O(final size) in all, not O(size^2) (10,000 single grows
            // allocated ~400 MB)
            int capacity = (int) Math.min(Math.max(target, (long) oldSize + (oldSize >> 1)), limits.max());
            refs = Arrays.copyOf(refs, capacity);
            instances = Arrays.copyOf(instances, capacity);
        }
        Arrays.fill(refs, oldSize, target, value);
        Arrays.fill(instances, oldSize, target, instance);
        size = target;
        modified = true;
        return oldSize;
    }

    @Override
    public int ref(int index) {
        if (index < 0 || index >= size) {
            throw new ChicoryException("undefined element");
        }
        return refs[index];
    }

    @Override
    public int requiredRef(int index) {
        int ref = ref(index);
        if (ref == REF_NULL_VALUE) {
            throw new ChicoryException("uninitialized element " + index);
        }
        return ref;
    }

    @Override
    public void setRef(int index, int value, Instance instance) {
        if (index < 0 || index >= size) {
            throw new UninstantiableException("out of bounds table access");
        }
        refs[index] = value;
        instances[index] = instance;
        modified = true;
    }

    @Override
    public Instance instance(int index) {
        return instances[index];
    }

    @Override
    public void reset() {
        Arrays.fill(refs, 0, size, REF_NULL_VALUE);
        modified = true;
    }

    /** The table's elements at one moment. Immutable. */
    static final class Image {
        final int[] refs;
        final Instance[] instances;

        Image(int[] refs, Instance[] instances) {
            this.refs = refs;
            this.instances = instances;
        }
    }

    /** Free when nothing changed since the last snapshot or restore (tables rarely change). */
    Image snapshot() {
        if (base == null || modified) {
            base = new Image(Arrays.copyOf(refs, size), Arrays.copyOf(instances, size));
            modified = false;
        }
        return base;
    }

    void restore(Image image) {
        if (image != base || modified) {
            refs = image.refs.clone();
            instances = image.instances.clone();
            size = refs.length;
            base = image;
            modified = false;
        }
    }

    /**
     * Chicory's table factory for one plugin: a policy's {@code maxTableElements} bounds the
     * elements of all its tables together (20,000 tables of 10,000 elements each were a raw
     * OutOfMemoryError when the bound was per table). Counts the tables' sizes rather than keeping
     * a tally, so a restore that resizes a table needs no bookkeeping here.
     */
    static final class Budget {
        private final int maxElements;
        private final java.util.List<TableInstance> tables = new java.util.ArrayList<>(1);

        Budget(int maxElements) {
            this.maxElements = maxElements;
        }

        TableInstance create(Table declared, int initValue) {
            var t = new BoundedTable(declared, maxElements, initValue, this);
            tables.add(t);
            return t;
        }

        boolean allows(long more) {
            long total = more;
            for (TableInstance t : tables) {
                total += t.size();
            }
            return total <= maxElements;
        }
    }
}
