package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;

/**
 * A table bounded by the policy, on its own copy of the limits. Chicory 1.7.5's TableInstance
 * records every grow in the module's shared {@code Table} (its limits' min), so without a copy one
 * instance's growth would become the initial size of every later instance of the module; and its
 * {@code oldSize + size} overflows int into a NegativeArraySizeException for huge requests.
 */
final class BoundedTable extends TableInstance {
    BoundedTable(Table declared, int maxElements, int initValue) {
        super(new Table(declared.elementType(),
                new TableLimits(declared.limits().min(), Math.min(declared.limits().max(), maxElements)),
                declared.initialize()), initValue);
    }

    @Override
    public int grow(int size, int value, Instance instance) {
        // size is the guest's u32: anything >= 2^31 arrives negative and cannot fit either
        if (size < 0 || (long) size() + size > limits().max()) {
            return -1;
        }
        return super.grow(size, value, instance);
    }
}
