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
    private int[] refs;
    private Instance[] instances;
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
        Arrays.fill(refs, initValue);
        this.budget = budget;
    }

    @Override
    public int size() {
        return refs.length;
    }

    @Override
    public TableLimits limits() {
        return limits;
    }

    @Override
    public int grow(int size, int value, Instance instance) {
        int oldSize = refs.length;
        // size is the guest's u32: anything >= 2^31 arrives negative and cannot fit either
        if (size < 0 || (long) oldSize + size > limits.max() || (budget != null && !budget.allows(size))) {
            return -1;
        }
        int target = oldSize + size;
        refs = Arrays.copyOf(refs, target);
        Arrays.fill(refs, oldSize, target, value);
        instances = Arrays.copyOf(instances, target);
        Arrays.fill(instances, oldSize, target, instance);
        modified = true;
        return oldSize;
    }

    @Override
    public int ref(int index) {
        if (index < 0 || index >= refs.length) {
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
        if (index < 0 || index >= refs.length) {
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
        Arrays.fill(refs, REF_NULL_VALUE);
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
            base = new Image(refs.clone(), instances.clone());
            modified = false;
        }
        return base;
    }

    void restore(Image image) {
        if (image != base || modified) {
            refs = image.refs.clone();
            instances = image.instances.clone();
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
