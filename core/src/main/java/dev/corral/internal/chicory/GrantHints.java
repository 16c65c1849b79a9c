package dev.corral.internal.chicory;

import dev.corral.ImportDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The "what to grant" part of an {@link dev.corral.UnlinkableModuleException}, per missing import
 * module: plugin logging is a capability of corral-capabilities, anything else a host module.
 */
final class GrantHints {
    private GrantHints() {}

    static String forMissing(List<ImportDescriptor> missing) {
        var modules = new LinkedHashSet<String>();
        missing.forEach(d -> modules.add(d.module()));
        var hints = new ArrayList<String>();
        if (modules.remove("corral_log")) {
            hints.add("corral_log is plugin logging: grant it with PluginPolicy.Builder.grant(PluginLogging.builder().build()),"
                    + " from corral-capabilities");
        }
        if (modules.remove("wasi_snapshot_preview1")) {
            hints.add("these WASI functions do not have preview1's types");
        }
        if (!modules.isEmpty()) {
            hints.add("grant host module" + (modules.size() == 1 ? " " : "s ") + String.join(", ", modules)
                    + " through PluginPolicy.Builder.hostModule");
        }
        return String.join("; ", hints);
    }
}
