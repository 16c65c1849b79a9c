package dev.corral.processor;

import java.util.List;

/** A Java type the bindings marshal, and how it crosses the ABI (guest-sdks/ABI.md). */
enum Kind {
    INT("int", List.of("I32"), "I32"),
    LONG("long", List.of("I64"), "I64"),
    FLOAT("float", List.of("F32"), "F32"),
    DOUBLE("double", List.of("F64"), "F64"),
    BOOLEAN("boolean", List.of("I32"), "I32"),
    STRING("java.lang.String", List.of("I32", "I32"), "I64"),
    BYTES("byte[]", List.of("I32", "I32"), "I64"),
    BUFFER("java.nio.ByteBuffer", List.of("I32", "I32"), "I64"),
    VOID("void", List.of(), null),
    /** The calling plugin, host functions only; the guest passes nothing for it. */
    CONTEXT("dev.corral.spi.HostContext", List.of(), null);

    static final String SUPPORTED = "int, long, float, double, boolean, String, byte[], java.nio.ByteBuffer, void"
            + " (and one dev.corral.spi.HostContext parameter in host functions)";

    final String java;
    /** wasm parameter types (ValueType constant names) of one Java parameter */
    final List<String> wasmParams;
    /** wasm result type of a Java return value, null for none */
    final String wasmResult;

    Kind(String java, List<String> wasmParams, String wasmResult) {
        this.java = java;
        this.wasmParams = wasmParams;
        this.wasmResult = wasmResult;
    }

    /** Passed as (ptr, len) / returned as packed (ptr, len). */
    boolean pointer() {
        return this == STRING || this == BYTES || this == BUFFER;
    }
}
