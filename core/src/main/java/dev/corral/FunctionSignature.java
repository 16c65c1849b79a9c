package dev.corral;

import java.util.List;
import java.util.stream.Collectors;

/** Parameter and result types of a wasm function, e.g. {@code (i32, i32) -> (i32)}. */
public record FunctionSignature(List<ValueType> params, List<ValueType> results) {
    public FunctionSignature {
        params = List.copyOf(params);
        results = List.copyOf(results);
    }

    public static FunctionSignature of(List<ValueType> params, List<ValueType> results) {
        return new FunctionSignature(params, results);
    }

    @Override
    public String toString() {
        return "(" + join(params) + ") -> (" + join(results) + ")";
    }

    private static String join(List<ValueType> types) {
        return types.stream().map(ValueType::watName).collect(Collectors.joining(", "));
    }
}
