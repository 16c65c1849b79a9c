package dev.corral;

/** The wasm value types a plugin's functions take and return. */
public enum ValueType {
    I32("i32"),
    I64("i64"),
    F32("f32"),
    F64("f64"),
    V128("v128"),
    FUNCREF("funcref"),
    EXTERNREF("externref"),
    /** Any other reference type (GC proposal); calls with it are refused. */
    REF("ref");

    private final String watName;

    ValueType(String watName) {
        this.watName = watName;
    }

    /** The name as written in the text format, e.g. {@code i32}. */
    public String watName() {
        return watName;
    }

    public boolean isNumeric() {
        return this == I32 || this == I64 || this == F32 || this == F64;
    }
}
