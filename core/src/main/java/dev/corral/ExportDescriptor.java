package dev.corral;

/** One export of a module; {@code signature} is set for functions only. */
public record ExportDescriptor(String name, ExternKind kind, String type, FunctionSignature signature) {
    @Override
    public String toString() {
        return name + " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + type + ")";
    }
}
