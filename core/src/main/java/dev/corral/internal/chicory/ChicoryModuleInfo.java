package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.ExecutionMode;
import dev.corral.ExportDescriptor;
import dev.corral.FunctionSignature;
import dev.corral.ImportDescriptor;
import dev.corral.MemoryDescriptor;
import dev.corral.ModuleInfo;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.internal.Engine;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A parsed module waiting to be compiled; holds the parse so compiling does not repeat it. */
final class ChicoryModuleInfo implements ModuleInfo {
    private final Engine engine;
    private final String name;
    private final String sha256;
    private final ExecutionMode mode;
    private final boolean tiered;
    private final ChicoryModule.Description description;
    private final int functionCount;
    private final int largestFunctionBytes;
    /** The load's limits and features, for compiling later. */
    private final dev.corral.internal.LoadSettings settings;
    private byte[] bytes;
    private WasmModule parsed;
    private PluginModule compiled;
    private final boolean interfaceOnly;
    /** The pre-validator's facts to keep in the compile cache once compiled, or null. */
    private final ModuleScanner.Facts scanned;

    /**
     * @param interfaceOnly {@code parsed} has the module's interface and stub bodies (a warm
     *     start): compile() loads instead of compiling from it
     * @param scanned the pre-validator's facts (the largest body is read from them)
     * @param scanKnown whether the compile cache has those facts already (else a compiled load keeps them)
     */
    ChicoryModuleInfo(Engine engine, String name, String sha256, ExecutionMode mode, boolean tiered, byte[] bytes,
            WasmModule parsed, boolean interfaceOnly, ModuleScanner.Facts scanned, boolean scanKnown,
            dev.corral.internal.LoadSettings settings) {
        this.engine = engine;
        this.settings = settings;
        this.name = name;
        this.sha256 = sha256;
        this.mode = mode;
        this.tiered = tiered;
        this.bytes = bytes;
        this.parsed = parsed;
        this.description = ChicoryModule.Description.of(parsed);
        this.functionCount = parsed.functionSection().functionCount();
        this.largestFunctionBytes = scanned.maxFunctionSize();
        this.interfaceOnly = interfaceOnly;
        this.scanned = scanKnown ? null : scanned;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String sha256() {
        return sha256;
    }

    @Override
    public List<ImportDescriptor> imports() {
        return description.imports();
    }

    @Override
    public List<ExportDescriptor> exports() {
        return description.exports();
    }

    @Override
    public List<MemoryDescriptor> memories() {
        return description.memories();
    }

    @Override
    public Optional<FunctionSignature> exportedFunction(String name) {
        return Optional.ofNullable(description.exportedFunctions().get(name));
    }

    @Override
    public int functionCount() {
        return functionCount;
    }

    @Override
    public int largestFunctionBytes() {
        return largestFunctionBytes;
    }

    @Override
    public List<ImportDescriptor> unlinkableImports(PluginPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return Linker.unlinkable(new ParsedModuleView(this, mode), wasm(), policy);
    }

    @Override
    public void checkLinkable(PluginPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        Linker.check(new ParsedModuleView(this, mode), wasm(), policy);
    }

    /** The parse, or after compile() the module's own (same imports, types, tables). */
    private synchronized WasmModule wasm() {
        return parsed != null ? parsed : ((ChicoryModule) compiled).linkView();
    }

    @Override
    public synchronized PluginModule compile() {
        if (compiled == null && interfaceOnly) {
            // a warm start: load's path serves it from the cache (or, if the entry is unusable
            // after all, parses and compiles it in full)
            compiled = ChicoryModuleLoader.load(engine, name, bytes, sha256, mode, tiered, settings);
            engine.countLoaded();
            bytes = null;
            parsed = null;
        }
        if (compiled == null) {
            var shape = ChicoryModuleLoader.shape(name, parsed);
            var parse = new Parse(name, bytes, parsed);
            parsed = null; // only `parse` holds it now, so the compile can let it go
            try {
                compiled = ChicoryModuleLoader.compile(engine, name, sha256, bytes, shape, parse, mode, tiered, settings);
            } catch (RuntimeException | Error e) {
                parsed = parse.get(); // still inspectable
                throw e;
            }
            engine.countLoaded();
            if (scanned != null) {
                CachedScan.remember(engine, sha256, scanned); // the next load or inspection skips the scan
            }
            bytes = null; // the module keeps what it needs; the parse is no longer ours to hold
            parsed = null;
        }
        return compiled;
    }

    @Override
    public String toString() {
        return "ModuleInfo[" + name + ", sha256=" + sha256.substring(0, 12) + "…, " + functionCount + " functions]";
    }
}
