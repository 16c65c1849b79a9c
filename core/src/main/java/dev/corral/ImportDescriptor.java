package dev.corral;

/**
 * One import of a module. {@code type} is human-readable: a signature for functions, limits for
 * memories and tables, the value type for globals.
 */
public record ImportDescriptor(String module, String name, ExternKind kind, String type) {
    @Override
    public String toString() {
        return module + "." + name + " (" + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + type + ")";
    }
}
