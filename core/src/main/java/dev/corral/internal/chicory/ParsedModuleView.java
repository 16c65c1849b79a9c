package dev.corral.internal.chicory;

import dev.corral.CompileFacts;
import dev.corral.ExecutionMode;
import dev.corral.ExportDescriptor;
import dev.corral.FunctionSignature;
import dev.corral.ImportDescriptor;
import dev.corral.MemoryDescriptor;
import dev.corral.ModuleInfo;
import dev.corral.ModuleStats;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A parsed, not yet compiled module, seen as the {@link PluginModule} that capabilities
 * ({@code Capability.bind}) and host modules ({@code HostModuleDef.checkPlugin}) receive when
 * linking is checked right after parsing ({@link ModuleInfo#checkLinkable}). They read its name,
 * imports, exports and memories; anything that needs compiled code fails with a message that says so.
 */
final class ParsedModuleView implements PluginModule {
    private final ModuleInfo info;
    private final ExecutionMode mode;

    ParsedModuleView(ModuleInfo info, ExecutionMode mode) {
        this.info = info;
        this.mode = mode;
    }

    @Override
    public String name() {
        return info.name();
    }

    @Override
    public String sha256() {
        return info.sha256();
    }

    @Override
    public ExecutionMode executionMode() {
        return mode;
    }

    @Override
    public List<ImportDescriptor> imports() {
        return info.imports();
    }

    @Override
    public List<ExportDescriptor> exports() {
        return info.exports();
    }

    @Override
    public List<MemoryDescriptor> memories() {
        return info.memories();
    }

    @Override
    public Optional<FunctionSignature> exportedFunction(String name) {
        return info.exportedFunction(name);
    }

    @Override
    public boolean awaitCompiled(Duration timeout) {
        return false;
    }

    @Override
    public ModuleStats stats() {
        throw notCompiled("stats");
    }

    @Override
    public CompileFacts compileFacts() {
        throw notCompiled("compileFacts");
    }

    @Override
    public Optional<CompileFacts> meteredCompileFacts() {
        return Optional.empty();
    }

    @Override
    public Plugin instantiate(PluginPolicy policy) {
        throw notCompiled("instantiate");
    }

    @Override
    public Plugin instantiate(PluginPolicy policy, java.util.function.Consumer<? super Plugin> initializer) {
        throw notCompiled("instantiate");
    }

    private IllegalStateException notCompiled(String what) {
        return new IllegalStateException("module '" + info.name() + "' is only parsed (a link check): " + what
                + " needs the compiled module, ModuleInfo.compile()");
    }

    @Override
    public String toString() {
        return "PluginModule[" + info.name() + ", parsed only]";
    }
}
