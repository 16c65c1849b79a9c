package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.GlobalImport;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.TableImport;
import dev.corral.CompileFacts;
import dev.corral.ExecutionMode;
import dev.corral.ExportDescriptor;
import dev.corral.ExternKind;
import dev.corral.FunctionSignature;
import dev.corral.ImportDescriptor;
import dev.corral.MemoryDescriptor;
import dev.corral.ModuleStats;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.internal.Engine;
import dev.corral.internal.PreparedModule;
import dev.corral.internal.LoadSettings;
import dev.corral.internal.Usage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A loaded module: the parsed module Chicory runs, its one shared machine factory (they must stay
 * together: the compiled factory checks the module's identity), and descriptions for users.
 */
final class ChicoryModule implements PluginModule, PreparedModule.Preparer {
    private final Engine engine;
    private final Usage usage;
    private final String name;
    private final String sha256;
    private final ExecutionMode mode;
    /** The module's name section, for naming functions (instances run {@link #plain} or {@link #metered}). */
    private final com.dylibso.chicory.wasm.types.NameCustomSection names;
    /** Null until a policy without fuel needs it, when the module was loaded metered. */
    private volatile ModuleVariant plain;
    /** Tiered: the variants start interpreted and are replaced by compiled ones when the compiler is done. */
    private final boolean tiered;
    private final List<Future<?>> compiles = new CopyOnWriteArrayList<>();
    private volatile Throwable compileFailure;
    /** The original bytes, kept to build the variant the load did not build on first demand. */
    private final byte[] bytes;
    private volatile ModuleVariant metered;
    private volatile CompileFacts plainFacts;
    private volatile CompileFacts meteredFacts;
    /** The last (module, policy) link: most hosts instantiate one module under one policy. */
    private volatile Prelinked lastLinked;
    private final boolean usesGcTypes;
    /** The limits and features of the load, for building the metered variant later. */
    private final LoadSettings settings;
    private final List<ImportDescriptor> imports;
    private final List<ExportDescriptor> exports;
    private final List<MemoryDescriptor> memories;
    private final Map<String, FunctionSignature> exportedFunctions;
    private final Map<Integer, String> exportNamesByFunction;
    final int importedFunctionCount;

    ChicoryModule(Engine engine, String name, String sha256, ExecutionMode mode, byte[] bytes, Shape shape,
            ModuleVariant plain, ModuleVariant metered, boolean tiered, LoadSettings settings) {
        this.engine = engine;
        this.settings = settings;
        this.usage = new Usage(engine.usage());
        this.name = name;
        this.sha256 = sha256;
        this.mode = mode;
        this.names = shape.names();
        this.plain = plain;
        this.metered = metered;
        this.tiered = tiered;
        this.bytes = bytes;
        this.importedFunctionCount = shape.importedFunctionCount();
        this.usesGcTypes = shape.usesGcTypes();

        var d = shape.description();
        this.imports = d.imports();
        this.exports = d.exports();
        this.memories = d.memories();
        this.exportedFunctions = d.exportedFunctions();
        this.exportNamesByFunction = d.exportNamesByFunction();
        // and the warning, once, at load
        if (plain != null) {
            this.plainFacts = facts(plain);
        } else {
            this.meteredFacts = facts(metered);
        }
    }

    /**
     * What the module needs from its parse, taken before compiling, so that the compile can let the
     * parse go ({@link Parse}).
     */
    record Shape(Description description, com.dylibso.chicory.wasm.types.NameCustomSection names, int importedFunctionCount,
            boolean usesGcTypes) {
        static Shape of(WasmModule original) {
            return new Shape(Description.of(original), names(original),
                    original.importSection().count(ExternalType.FUNCTION), ChicoryModule.usesGcTypes(original));
        }

        private static com.dylibso.chicory.wasm.types.NameCustomSection names(WasmModule m) {
            try {
                return m.nameSection();
            } catch (RuntimeException e) {
                return null; // a damaged name section costs names in messages, never the load
            }
        }
    }

    /** What a parsed module needs and offers, for users: computed once, right after parsing. */
    record Description(List<ImportDescriptor> imports, List<ExportDescriptor> exports, List<MemoryDescriptor> memories,
            Map<String, FunctionSignature> exportedFunctions, Map<Integer, String> exportNamesByFunction) {
        static Description of(WasmModule original) {
            var imp = new ArrayList<ImportDescriptor>();
            var mems = new ArrayList<MemoryDescriptor>();
            int memIndex = 0;
            for (int i = 0; i < original.importSection().importCount(); i++) {
                Import im = original.importSection().getImport(i);
                imp.add(describeImport(original, im));
                if (im instanceof MemoryImport) {
                    mems.add(memory(memIndex++, true, ((MemoryImport) im).limits()));
                }
            }
            var memSection = original.memorySection();
            if (memSection.isPresent()) {
                for (int i = 0; i < memSection.get().memoryCount(); i++) {
                    mems.add(memory(memIndex++, false, memSection.get().getMemory(i).limits()));
                }
            }
            var exp = new ArrayList<ExportDescriptor>();
            var fnSigs = new HashMap<String, FunctionSignature>();
            var fnNames = new HashMap<Integer, String>();
            for (int i = 0; i < original.exportSection().exportCount(); i++) {
                Export e = original.exportSection().getExport(i);
                if (e.exportType() == ExternalType.FUNCTION) {
                    var sig = Types.toCorral(functionType(original, e.index()));
                    exp.add(new ExportDescriptor(e.name(), ExternKind.FUNCTION, sig.toString(), sig));
                    fnSigs.put(e.name(), sig);
                    fnNames.putIfAbsent(e.index(), e.name());
                } else {
                    exp.add(new ExportDescriptor(e.name(), kind(e.exportType()), "", null));
                }
            }
            return new Description(List.copyOf(imp), List.copyOf(exp), List.copyOf(mems), Collections.unmodifiableMap(fnSigs),
                    Collections.unmodifiableMap(fnNames));
        }
    }

    private static MemoryDescriptor memory(int index, boolean imported, MemoryLimits l) {
        OptionalInt max = l.maximumPages() >= MemoryLimits.MAX_PAGES ? OptionalInt.empty() : OptionalInt.of(l.maximumPages());
        return new MemoryDescriptor(index, imported, l.initialPages(), max);
    }

    static com.dylibso.chicory.wasm.types.FunctionType functionType(WasmModule m, int funcIdx) {
        int imported = m.importSection().count(ExternalType.FUNCTION);
        if (funcIdx < imported) {
            int seen = 0;
            for (int i = 0; i < m.importSection().importCount(); i++) {
                Import im = m.importSection().getImport(i);
                if (im instanceof FunctionImport) {
                    if (seen++ == funcIdx) {
                        return m.typeSection().getType(((FunctionImport) im).typeIndex());
                    }
                }
            }
        }
        return m.functionSection().getFunctionType(funcIdx - imported, m.typeSection());
    }

    static ImportDescriptor describeImport(WasmModule m, Import im) {
        String type;
        ExternKind kind = kind(im.importType());
        if (im instanceof FunctionImport) {
            type = Types.toCorral(m.typeSection().getType(((FunctionImport) im).typeIndex())).toString();
        } else if (im instanceof MemoryImport) {
            var l = ((MemoryImport) im).limits();
            type = "min=" + l.initialPages() + (l.maximumPages() >= MemoryLimits.MAX_PAGES ? "" : " max=" + l.maximumPages());
        } else if (im instanceof TableImport) {
            var t = (TableImport) im;
            type = Types.toCorral(t.entryType()).watName() + " min=" + t.limits().min();
        } else if (im instanceof GlobalImport) {
            var g = (GlobalImport) im;
            type = g.mutabilityType().name().toLowerCase(java.util.Locale.ROOT) + " " + Types.toCorral(g.type()).watName();
        } else {
            type = "";
        }
        return new ImportDescriptor(im.module(), im.name(), kind, type);
    }

    static ExternKind kind(ExternalType t) {
        switch (t) {
            case FUNCTION: return ExternKind.FUNCTION;
            case TABLE: return ExternKind.TABLE;
            case MEMORY: return ExternKind.MEMORY;
            case GLOBAL: return ExternKind.GLOBAL;
            default: return ExternKind.TAG;
        }
    }

    /** Name of function {@code idx} for messages: name section, else export name, else func[idx]. */
    String functionName(int idx) {
        if (idx < 0) {
            return null;
        }
        try {
            if (names != null) {
                String n = names.nameOfFunction(idx);
                if (n != null) {
                    return n;
                }
            }
        } catch (RuntimeException ignored) {
            // a damaged name section must not hide the trap itself
        }
        String exported = exportNamesByFunction.get(idx);
        return exported != null ? exported : "func[" + idx + "]";
    }

    /**
     * The variant a policy runs: plain without fuel (no instrumentation, zero cost), else the
     * metered one, instrumented and compiled once on first use and shared by every metered instance.
     */
    ModuleVariant variant(PluginPolicy policy) {
        if (policy.fuel().isEmpty()) {
            return plain();
        }
        ModuleVariant m = metered;
        if (m == null) {
            synchronized (this) {
                m = metered;
                if (m == null) {
                    if (tiered) {
                        m = ChicoryModuleLoader.meter(engine, name, sha256, bytes, ExecutionMode.INTERPRETED, settings);
                        meteredFacts = facts(m);
                        metered = m;
                        upgrade(true, () -> ChicoryModuleLoader.meter(engine, name, sha256, bytes, ExecutionMode.COMPILED, settings));
                    } else {
                        m = ChicoryModuleLoader.meter(engine, name, sha256, bytes, mode, settings);
                        meteredFacts = facts(m);
                        metered = m;
                    }
                }
            }
        }
        return m;
    }

    /**
     * Tiered compilation: compiles a variant on the engine's compiler thread and, when done, makes it
     * the one new instances run. Instances made before keep running interpreted ({@link #current});
     * a pool replaces them as they come back. A failed compile leaves the interpreted variant in place.
     */
    void upgrade(boolean meteredVariant, Supplier<ModuleVariant> compile) {
        compiles.add(engine.compiler().submit(() -> {
            try {
                ModuleVariant compiled = compile.get();
                if (meteredVariant) {
                    meteredFacts = facts(compiled);
                    metered = compiled;
                } else {
                    plainFacts = facts(compiled);
                    plain = compiled;
                }
            } catch (RuntimeException | Error e) {
                compileFailure = e;
            }
        }));
    }

    /**
     * The plain variant; for a module loaded metered, built (and, tiered, upgraded) the first time
     * something needs it.
     */
    private ModuleVariant plain() {
        ModuleVariant p = plain;
        if (p == null) {
            synchronized (this) {
                p = plain;
                if (p == null) {
                    p = ChicoryModuleLoader.plainLater(engine, name, sha256, bytes, tiered ? ExecutionMode.INTERPRETED : mode);
                    plainFacts = facts(p);
                    plain = p;
                    if (tiered) {
                        upgrade(false, () -> ChicoryModuleLoader.plainLater(engine, name, sha256, bytes, ExecutionMode.COMPILED));
                    }
                }
            }
        }
        return p;
    }

    /**
     * A parse of the module linking can read (imports, types, tables): whichever variant is built
     * (the metered one adds a fuel global and functions, never an import or a table).
     */
    WasmModule linkView() {
        ModuleVariant p = plain;
        return p != null ? p.module() : metered.module();
    }

    /** Whether {@code v} is still what new instances of this module run. */
    boolean current(ModuleVariant v) {
        return v == plain || v == metered;
    }

    @Override
    public boolean awaitCompiled(Duration timeout) throws InterruptedException {
        if (mode != ExecutionMode.COMPILED) {
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<?> f : compiles) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException | CancellationException e) {
                return false;
            }
        }
        return compileFailure == null;
    }

    Engine engine() {
        return engine;
    }

    @Override
    public CompileFacts compileFacts() {
        plain(); // a module loaded metered compiles its plain variant now
        return plainFacts;
    }

    @Override
    public Optional<CompileFacts> meteredCompileFacts() {
        return Optional.ofNullable(meteredFacts);
    }

    private static final System.Logger LOG = System.getLogger("dev.corral");

    /** The public facts of a variant, by function name; warns once when something runs slowly. */
    private CompileFacts facts(ModuleVariant v) {
        var f = v.facts();
        List<String> interpreted = new ArrayList<>();
        for (int i : f.interpreted()) {
            interpreted.add(functionName(v.clones().getOrDefault(i, i)));
        }
        List<String> split = new ArrayList<>();
        for (int i : new java.util.TreeSet<>(f.split().keySet())) {
            split.add(functionName(v.clones().getOrDefault(i, i)));
        }
        List<String> above = new ArrayList<>();
        List<String> runtime = new ArrayList<>();
        for (var m : f.above()) {
            if (m.function() >= 0) {
                if (!f.interpreted().contains(m.function())) {
                    above.add(methodName(v, m));
                }
            } else {
                runtime.add(methodName(v, m) + " (" + m.bytes() + " bytes)");
            }
        }
        boolean compiled = f.compiled();
        var facts = new CompileFacts(compiled ? ExecutionMode.COMPILED : ExecutionMode.INTERPRETED, f.functions(), compiled ? f.functions() - f.interpreted().size() : 0, interpreted,
                split, f.helpers(), f.largest() == null ? "" : methodName(v, f.largest()), f.largest() == null ? 0 : f.largest().bytes(),
                above, runtime, java.time.Duration.ofNanos(f.nanos()), f.classBytes(), f.fromCache());
        if (compiled && (!interpreted.isEmpty() || !above.isEmpty())) {
            LOG.log(System.Logger.Level.WARNING, "module ''{0}''{1} does not run at full speed: {2}{3}", name,
                    v.metered() ? " (fuel-metered)" : "",
                    interpreted.isEmpty() ? "" : interpreted.size() + " function(s) run in Chicory's interpreter, ~100x slower "
                            + "(too large for a JVM method and impossible to split): " + interpreted + ". ",
                    above.isEmpty() ? "" : above.size() + " method(s) are above HotSpot's " + CompileFacts.JIT_LIMIT
                            + "-byte JIT limit and run in the JVM's bytecode interpreter: " + above + ".");
        }
        return facts;
    }

    private String methodName(ModuleVariant v, CompiledCode.Method m) {
        return CompiledCode.describe(m, i -> {
            int owner = v.clones().getOrDefault(i, i);
            return functionName(owner) + (owner != i ? " (part " + i + ")" : "");
        });
    }

    @Override
    public String name() {
        return name;
    }

    Usage usage() {
        return usage;
    }

    @Override
    public ModuleStats stats() {
        long[] u = usage.snapshot();
        return new ModuleStats(u[0], u[1], u[2], u[3], u[4]);
    }

    @Override
    public String sha256() {
        return sha256;
    }

    @Override
    public ExecutionMode executionMode() {
        return mode;
    }

    @Override
    public List<ImportDescriptor> imports() {
        return imports;
    }

    @Override
    public List<ExportDescriptor> exports() {
        return exports;
    }

    @Override
    public List<MemoryDescriptor> memories() {
        return memories;
    }

    @Override
    public Optional<FunctionSignature> exportedFunction(String name) {
        return Optional.ofNullable(exportedFunctions.get(name));
    }

    @Override
    public Plugin instantiate(PluginPolicy policy) {
        return prepare(policy).instantiate();
    }

    @Override
    public Plugin instantiate(PluginPolicy policy, java.util.function.Consumer<? super Plugin> initializer) {
        return prepare(policy).instantiate(Objects.requireNonNull(initializer, "initializer"));
    }

    @Override
    public Prelinked prepare(PluginPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        Prelinked linked = lastLinked;
        if (linked == null || linked.policy() != policy) {
            linked = Linker.prepare(this, policy);
            lastLinked = linked;
        }
        return linked;
    }

    /** Whether the module declares struct or array types (wasm GC), whose objects live outside memory. */
    boolean usesGcTypes() {
        return usesGcTypes;
    }

    private static boolean usesGcTypes(WasmModule m) {
        var types = m.typeSection();
        for (int i = 0; i < types.subTypeCount(); i++) {
            var comp = types.getSubType(i).compType();
            if (comp != null && (comp.structType() != null || comp.arrayType() != null)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "PluginModule[" + name + ", sha256=" + sha256.substring(0, 12) + "…, " + mode + "]";
    }
}
