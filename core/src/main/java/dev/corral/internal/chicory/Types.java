package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.FunctionSignature;
import dev.corral.ValueType;
import java.util.ArrayList;
import java.util.List;

/** Converts between Chicory's type objects and Corral's. */
final class Types {
    private Types() {}

    static ValueType toCorral(ValType t) {
        if (t.equals(ValType.I32)) {
            return ValueType.I32;
        } else if (t.equals(ValType.I64)) {
            return ValueType.I64;
        } else if (t.equals(ValType.F32)) {
            return ValueType.F32;
        } else if (t.equals(ValType.F64)) {
            return ValueType.F64;
        } else if (t.equals(ValType.V128)) {
            return ValueType.V128;
        } else if (t.equals(ValType.FuncRef)) {
            return ValueType.FUNCREF;
        } else if (t.equals(ValType.ExternRef)) {
            return ValueType.EXTERNREF;
        }
        return ValueType.REF;
    }

    static ValType toChicory(ValueType t) {
        switch (t) {
            case I32: return ValType.I32;
            case I64: return ValType.I64;
            case F32: return ValType.F32;
            case F64: return ValType.F64;
            case V128: return ValType.V128;
            case FUNCREF: return ValType.FuncRef;
            case EXTERNREF: return ValType.ExternRef;
            default: throw new IllegalArgumentException("host functions cannot use " + t);
        }
    }

    static FunctionSignature toCorral(FunctionType ft) {
        return FunctionSignature.of(convert(ft.params()), convert(ft.returns()));
    }

    static FunctionType toChicory(FunctionSignature sig) {
        List<ValType> p = new ArrayList<>();
        for (ValueType t : sig.params()) {
            p.add(toChicory(t));
        }
        List<ValType> r = new ArrayList<>();
        for (ValueType t : sig.results()) {
            r.add(toChicory(t));
        }
        return FunctionType.of(p, r);
    }

    private static List<ValueType> convert(List<ValType> in) {
        List<ValueType> out = new ArrayList<>(in.size());
        for (ValType t : in) {
            out.add(toCorral(t));
        }
        return out;
    }
}
