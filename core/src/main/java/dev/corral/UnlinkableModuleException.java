package dev.corral;

import java.util.List;

/**
 * The module imports functions, memories, tables or globals that the policy does not provide, or
 * provides with another type. {@link #missingImports()} lists every one of them, not just the first.
 */
public final class UnlinkableModuleException extends ModuleLoadException {
    private static final long serialVersionUID = 1L;

    private final transient List<ImportDescriptor> missing;

    public UnlinkableModuleException(String moduleName, List<ImportDescriptor> missing, String detail) {
        super(Reason.UNLINKABLE, message(moduleName, missing, detail));
        this.missing = List.copyOf(missing);
    }

    private static String message(String moduleName, List<ImportDescriptor> missing, String detail) {
        var sb = new StringBuilder("module '").append(moduleName).append("' cannot be linked: ");
        sb.append(missing.size()).append(missing.size() == 1 ? " import is" : " imports are")
                .append(" not provided: ");
        for (int i = 0; i < missing.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(missing.get(i));
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(" (").append(detail).append(')');
        }
        return sb.toString();
    }

    /** Every import that could not be satisfied, with the type the module expects. */
    public List<ImportDescriptor> missingImports() {
        return missing;
    }
}
