package dev.corral.internal.chicory;

import dev.corral.LoadLimits;
import dev.corral.ModuleLoadException;
import dev.corral.ModuleLoadException.Reason;
import dev.corral.WasmFeature;
import dev.corral.internal.chicory.WasmReader.Malformed;
import java.util.EnumSet;
import java.util.Set;

/**
 * The binary pre-validator: one pass over a module's bytes, before Chicory's parser allocates
 * anything for it. Chicory sizes arrays and lists from counts it reads (a type with 2^31-1
 * parameters, a name of 2 GB, a data segment longer than the module, 2.15e9 locals in 172 KB)
 * and runs out of heap before it notices the bytes do not back them. This pass reads every count
 * and length and checks it, allocating nothing that depends on them:
 * <ul>
 *   <li>a vector's count, a name's or a data segment's length can never exceed the bytes left in
 *       its section (every element takes at least one byte): MALFORMED;</li>
 *   <li>the {@link LoadLimits} (module and function size, numbers of functions, tables,
 *       memories, globals, locals per function, block nesting) and the structural limits the
 *       engines agree on (types, parameters, results, imports, exports, segments): LIMITS;</li>
 *   <li>every post-baseline proposal a module uses is named, and refused unless enabled
 *       ({@link WasmFeature}): UNSUPPORTED, before anything is compiled or run;</li>
 *   <li>indices into tables, memories, functions, globals, types, tags, segments and locals are
 *       checked against their index spaces: Chicory 1.7.5's validator misses some (a
 *       {@code table.size} of a table that does not exist passes, and fails when run): INVALID.</li>
 * </ul>
 * Sections must come once each, in the spec's order. Instruction immediates are decoded as
 * Chicory's parser decodes them (its own opcode table), so both read the same instructions; what
 * this pass cannot decode Chicory could not parse either. Everything else (types of instructions,
 * constant expressions' validity) is left to Chicory's validator, which runs next on a module now
 * known to be of bounded size.
 */
final class ModuleScanner {
    /** Structural limits every engine agrees on (wasmparser, V8, SpiderMonkey, JSC; Chicory's WasmLimits). */
    static final int MAX_TYPES = 1_000_000;
    static final int MAX_PARAMS = 1000;
    static final int MAX_RESULTS = 1000;
    static final int MAX_IMPORTS = 100_000;
    static final int MAX_EXPORTS = 100_000;
    static final int MAX_SEGMENTS = 100_000;
    static final int MAX_TAGS = 1_000_000;
    static final int MAX_STRUCT_FIELDS = 10_000;

    /** What the pass learned: sizes for messages, limits and tests, and the features used. */
    record Facts(int types, int functions, int importedFunctions, int tables, int memories, int globals,
            int maxFunctionSize, int maxLocals, int maxNesting, long instructions, Set<WasmFeature> features) {}

    final String name;
    final LoadLimits limits;
    private final Set<WasmFeature> enabled;
    private final WasmReader in;
    private final CodeScanner code;
    private final EnumSet<WasmFeature> used = EnumSet.noneOf(WasmFeature.class);

    // index spaces, imports included, as far as the sections read so far declare them (read by CodeScanner)
    int types;
    private int[] funcParamCount = new int[0]; // per type: parameter count (-1: not a function type)
    int functions;
    private int importedFunctions;
    private int[] functionTypes = new int[0]; // per defined function: its type index
    int tables;
    int memories;
    int globals;
    int tags;
    int elementSegments;
    int dataSegments = -1; // from the data count section; -1: not declared

    private int maxFunctionSize;
    private int maxLocals;
    String where = "module"; // for messages
    private boolean inTypeSection;

    private ModuleScanner(String name, byte[] wasm, LoadLimits limits, Set<WasmFeature> enabled) {
        this.name = name;
        this.limits = limits;
        this.enabled = enabled;
        this.in = new WasmReader(wasm);
        this.code = new CodeScanner(this, in);
    }

    /**
     * Scans {@code wasm}: returns what it found, or throws {@link ModuleLoadException} (MALFORMED,
     * INVALID, LIMITS or UNSUPPORTED) before anything is allocated from the module's counts.
     */
    static Facts scan(String name, byte[] wasm, LoadLimits limits, Set<WasmFeature> enabled) {
        if (wasm.length > limits.maxModuleSize()) {
            throw new ModuleLoadException(Reason.LIMITS, "module '" + name + "' is " + wasm.length
                    + " bytes, more than the " + limits.maxModuleSize() + " bytes LoadLimits.maxModuleSize allows");
        }
        var s = new ModuleScanner(name, wasm, limits, enabled);
        try {
            s.module();
        } catch (Malformed e) {
            throw new ModuleLoadException(Reason.MALFORMED, "module '" + name + "' is malformed: " + e.getMessage()
                    + " (" + s.where + ", at byte " + s.in.pos + ")");
        }
        return new Facts(s.types, s.functions, s.importedFunctions, s.tables, s.memories, s.globals,
                s.maxFunctionSize, s.maxLocals, s.code.maxNesting, s.code.instructions, Set.copyOf(s.used));
    }

    // ---- sections ----

    private void module() {
        if (in.end < 8 || in.u8() != 0 || in.u8() != 'a' || in.u8() != 's' || in.u8() != 'm') {
            throw new Malformed("not a wasm module (no \\0asm magic)");
        }
        in.pos = 8; // the version is Chicory's to check
        int lastRank = 0;
        while (in.pos < in.end) {
            int id = in.u8();
            long size = in.u32();
            if (id != 0) {
                // every other section handler relies on this: each section once, in order
                int rank = rank(id);
                if (rank <= lastRank) {
                    throw new Malformed("section " + id + (rank == lastRank ? " appears twice" : " is out of order"));
                }
                lastRank = rank;
            }
            if (size > in.end - in.pos) {
                throw new Malformed("section " + id + " declares " + size + " bytes but only " + (in.end - in.pos) + " remain");
            }
            int sectionEnd = in.pos + (int) size;
            int outer = in.end;
            in.end = sectionEnd;
            where = "section " + id;
            switch (id) {
                case 0: custom(); break;
                case 1:
                    inTypeSection = true;
                    typeSection();
                    inTypeSection = false;
                    break;
                case 2: importSection(); break;
                case 3: functionSection(); break;
                case 4: tableSection(); break;
                case 5: memorySection(); break;
                case 6: globalSection(); break;
                case 7: exportSection(); break;
                case 8: startSection(); break;
                case 9: elementSection(); break;
                case 10: codeSection(); break;
                case 11: dataSection(); break;
                case 12: dataCount(); break;
                case 13: tagSection(); break;
                default: throw new Malformed("unknown section id " + id);
            }
            if (in.pos != sectionEnd && id != 0) {
                throw new Malformed("section " + id + " has " + (sectionEnd - in.pos) + " bytes left over");
            }
            in.pos = sectionEnd;
            in.end = outer;
        }
        where = "module";
        if (functions > limits.maxFunctions()) {
            limit("functions", functions, limits.maxFunctions(), "maxFunctions");
        }
    }

    /** Where a section may appear (the tag section sits between memory and global, data count before code). */
    private static int rank(int id) {
        switch (id) {
            case 13: return 55;
            case 12: return 95;
            default: return id >= 1 && id <= 11 ? id * 10 : 1000 + id; // an unknown id is refused below
        }
    }

    private void custom() {
        in.name("custom section name"); // Chicory reads it into an array of the declared length
    }

    private void typeSection() {
        int groups = count("type groups", MAX_TYPES, "the engines' limit");
        int[] params = new int[Math.min(groups, 1024)];
        for (int g = 0; g < groups; g++) {
            int form = in.u8();
            int members = 1;
            boolean rec = form == 0x4E;
            if (rec) {
                feature(WasmFeature.GC, "a recursive type group");
                members = count("types in a rec group", MAX_TYPES, "the engines' limit");
                form = -1;
            }
            for (int m = 0; m < members; m++) {
                int f = form >= 0 ? form : in.u8();
                form = -1;
                if (f == 0x50 || f == 0x4F) {
                    feature(WasmFeature.GC, "a subtype declaration");
                    int supers = count("supertypes", 1, "the GC proposal's limit");
                    for (int k = 0; k < supers; k++) {
                        in.u32();
                    }
                    f = in.u8();
                }
                if (types >= MAX_TYPES) {
                    limit("types", types + 1L, MAX_TYPES, null);
                }
                if (types >= params.length) {
                    params = java.util.Arrays.copyOf(params, Math.max(16, params.length * 2));
                }
                params[types++] = compositeType(f);
            }
        }
        funcParamCount = java.util.Arrays.copyOf(params, types);
    }

    /** Reads a composite type; returns its parameter count if it is a function type, else -1. */
    private int compositeType(int form) {
        switch (form) {
            case 0x60: {
                int p = count("parameters", MAX_PARAMS, "the engines' limit");
                for (int k = 0; k < p; k++) {
                    valueType();
                }
                int r = count("results", MAX_RESULTS, "the engines' limit");
                for (int k = 0; k < r; k++) {
                    valueType();
                }
                return p;
            }
            case 0x5E:
                feature(WasmFeature.GC, "an array type");
                fieldType();
                return -1;
            case 0x5F: {
                feature(WasmFeature.GC, "a struct type");
                int n = count("struct fields", MAX_STRUCT_FIELDS, "the engines' limit");
                for (int k = 0; k < n; k++) {
                    fieldType();
                }
                return -1;
            }
            default:
                throw new Malformed("unknown composite type form 0x" + Integer.toHexString(form));
        }
    }

    private void fieldType() {
        long t = in.u32();
        if (t != 0x78 && t != 0x77) { // i8, i16: packed
            valueTypeFrom(t);
        }
        in.u8(); // mutability
    }

    private void importSection() {
        int n = count("imports", MAX_IMPORTS, "the engines' limit");
        for (int i = 0; i < n; i++) {
            in.name("import module name");
            in.name("import name");
            int kind = in.u8();
            switch (kind) {
                case 0: {
                    long type = in.u32();
                    checkIndex(type, types, "type", "an imported function's type");
                    importedFunctions++;
                    functions++;
                    break;
                }
                case 1:
                    valueType();
                    tableLimits();
                    tables++;
                    break;
                case 2:
                    memoryLimits();
                    memories++;
                    break;
                case 3:
                    valueType();
                    in.u8();
                    globals++;
                    break;
                case 4:
                    feature(WasmFeature.EXCEPTIONS, "an imported tag");
                    in.u8();
                    checkIndex(in.u32(), types, "type", "an imported tag's type");
                    tags++;
                    break;
                default:
                    throw new Malformed("unknown import kind " + kind);
            }
        }
        checkCounts();
    }

    private void functionSection() {
        int n = count("functions", limits.maxFunctions(), "maxFunctions");
        functionTypes = new int[n]; // n <= bytes left: bounded by the module's size
        for (int i = 0; i < n; i++) {
            long t = in.u32();
            checkIndex(t, types, "type", "function " + (importedFunctions + i) + "'s type");
            functionTypes[i] = (int) t;
        }
        functions += n;
        if (functions > limits.maxFunctions()) {
            limit("functions", functions, limits.maxFunctions(), "maxFunctions");
        }
    }

    private void tableSection() {
        int n = count("tables", limits.maxTables(), "maxTables");
        for (int i = 0; i < n; i++) {
            int first = in.peek();
            if (first == 0x40) { // a table with an initializer expression
                in.u8();
                if (in.u8() != 0) {
                    throw new Malformed("malformed table type");
                }
                valueType();
                tableLimits();
                code.constExpr("a table initializer");
            } else {
                valueType();
                tableLimits();
            }
            tables++;
        }
        checkCounts();
    }

    private void memorySection() {
        int n = count("memories", limits.maxMemories(), "maxMemories");
        for (int i = 0; i < n; i++) {
            memoryLimits();
            memories++;
        }
        checkCounts();
    }

    private void dataCount() {
        long n = in.u32();
        if (n > MAX_SEGMENTS) {
            limit("data segments", n, MAX_SEGMENTS, "the engines' limit");
        }
        dataSegments = (int) n;
    }

    private void tagSection() {
        feature(WasmFeature.EXCEPTIONS, "a tag section");
        int n = count("tags", MAX_TAGS, "the engines' limit");
        for (int i = 0; i < n; i++) {
            in.u8();
            checkIndex(in.u32(), types, "type", "a tag's type");
            tags++;
        }
    }

    private void globalSection() {
        int n = count("globals", limits.maxGlobals(), "maxGlobals");
        for (int i = 0; i < n; i++) {
            valueType();
            in.u8();
            code.constExpr("global " + globals + "'s initializer");
            globals++;
        }
        checkCounts();
    }

    private void exportSection() {
        int n = count("exports", MAX_EXPORTS, "the engines' limit");
        for (int i = 0; i < n; i++) {
            in.name("export name");
            int kind = in.u8();
            long idx = in.u32();
            switch (kind) {
                case 0: checkIndex(idx, functions, "function", "an export"); break;
                case 1: checkIndex(idx, tables, "table", "an export"); break;
                case 2: checkIndex(idx, memories, "memory", "an export"); break;
                case 3: checkIndex(idx, globals, "global", "an export"); break;
                case 4: checkIndex(idx, tags, "tag", "an export"); break;
                default: throw new Malformed("unknown export kind " + kind);
            }
        }
    }

    private void startSection() {
        checkIndex(in.u32(), functions, "function", "the start section");
    }

    private void elementSection() {
        int n = count("element segments", MAX_SEGMENTS, "the engines' limit");
        for (int i = 0; i < n; i++) {
            where = "element segment " + i;
            long flags = in.u32();
            if (flags > 7) {
                throw new Malformed("element segment flags " + flags);
            }
            boolean active = (flags & 1) == 0;
            boolean explicitTable = (flags & 2) != 0;
            boolean exprs = (flags & 4) != 0;
            if (active) {
                long table = explicitTable ? in.u32() : 0;
                checkIndex(table, tables, "table", "an active element segment");
                code.constExpr("an element segment's offset");
            }
            if (!active || explicitTable) {
                if (exprs) {
                    valueType();
                } else if (in.u8() != 0) {
                    throw new Malformed("unknown element kind");
                }
            }
            int items = count("element segment items", Integer.MAX_VALUE, null);
            for (int k = 0; k < items; k++) {
                if (exprs) {
                    code.constExpr("an element segment's item");
                } else {
                    checkIndex(in.u32(), functions, "function", "an element segment");
                }
            }
            elementSegments++;
        }
    }

    private void dataSection() {
        int n = count("data segments", MAX_SEGMENTS, "the engines' limit");
        for (int i = 0; i < n; i++) {
            where = "data segment " + i;
            long mode = in.u32();
            if (mode == 0 || mode == 2) {
                long mem = mode == 2 ? in.u32() : 0;
                checkIndex(mem, memories, "memory", "an active data segment");
                if (mem != 0) {
                    feature(WasmFeature.MULTI_MEMORY, "a data segment for memory " + mem);
                }
                code.constExpr("a data segment's offset");
            } else if (mode != 1) {
                throw new Malformed("data segment mode " + mode);
            }
            in.bytes("data segment");
        }
    }

    private void codeSection() {
        int n = count("function bodies", limits.maxFunctions(), "maxFunctions");
        for (int i = 0; i < n; i++) {
            int index = importedFunctions + i;
            where = "function " + index;
            long size = in.u32();
            if (size > in.end - in.pos) {
                throw new Malformed("function body of " + size + " bytes, but only " + (in.end - in.pos) + " remain");
            }
            if (size > limits.maxFunctionSize()) {
                limit("bytes of code in function " + index, size, limits.maxFunctionSize(), "maxFunctionSize");
            }
            maxFunctionSize = (int) Math.max(maxFunctionSize, size);
            int bodyEnd = in.pos + (int) size;
            int outer = in.end;
            in.end = bodyEnd;
            int params = i < functionTypes.length && functionTypes[i] < funcParamCount.length
                    ? Math.max(0, funcParamCount[functionTypes[i]]) : 0;
            long locals = params;
            int groups = count("local groups", Integer.MAX_VALUE, null);
            for (int g = 0; g < groups; g++) {
                locals += in.u32();
                if (locals > limits.maxLocals()) {
                    limit("locals (parameters included) in function " + index, locals, limits.maxLocals(), "maxLocals");
                }
                valueType();
            }
            maxLocals = (int) Math.max(maxLocals, locals);
            code.body(index, (int) locals);
            in.pos = bodyEnd;
            in.end = outer;
        }
    }

    // ---- types and limits ----

    void valueType() {
        valueTypeFrom(in.u32());
    }

    private void valueTypeFrom(long t) {
        if (t == 0x63 || t == 0x64) {
            heapType(in.s(32));
            return;
        }
        if (!isValueType(t)) {
            throw new Malformed("unknown value type 0x" + Long.toHexString(t));
        }
        if (t == 0x7B) {
            feature(WasmFeature.SIMD, "the v128 type");
        } else if (t >= 0x6A && t <= 0x6E || t >= 0x71 && t <= 0x73) {
            feature(WasmFeature.GC, "a GC reference type");
        } else if (t == 0x69 || t == 0x74) {
            feature(WasmFeature.EXCEPTIONS, "the exnref type");
        }
    }

    static boolean isValueType(long t) {
        return t >= 0x7B && t <= 0x7F || t >= 0x69 && t <= 0x74;
    }

    void heapType(long ht) {
        if (ht >= 0) {
            if (!inTypeSection) { // a rec group may refer to types declared after it (Chicory resolves those)
                checkIndex(ht, types, "type", "a reference type");
            }
            return;
        }
        switch ((int) ht) {
            case -16: // func
            case -17: // extern
                break;
            case -23: // exn
            case -12: // noexn
                feature(WasmFeature.EXCEPTIONS, "the exn heap type");
                break;
            case -13: case -14: case -15: case -18: case -19: case -20: case -21: case -22:
                feature(WasmFeature.GC, "a GC heap type");
                break;
            default:
                throw new Malformed("unknown heap type " + ht);
        }
    }

    private void tableLimits() {
        int flags = in.u8();
        if (flags >= 4 && flags <= 7) {
            feature(WasmFeature.MEMORY64, "a 64-bit table");
        }
        in.u32();
        if ((flags & 1) != 0) {
            in.u32();
        }
    }

    private void memoryLimits() {
        int flags = in.u8();
        if ((flags & 4) != 0) {
            feature(WasmFeature.MEMORY64, "a 64-bit memory");
        }
        if ((flags & 2) != 0) {
            feature(WasmFeature.THREADS, "a shared memory");
        }
        if ((flags & 8) != 0) {
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' declares a memory with a custom page size, which Corral does not support");
        }
        in.u32();
        if ((flags & 1) != 0) {
            in.u32();
        }
    }

    // ---- checks ----

    private void checkCounts() {
        if (memories > 1) {
            feature(WasmFeature.MULTI_MEMORY, memories + " memories");
        }
        if (tables > limits.maxTables()) {
            limit("tables", tables, limits.maxTables(), "maxTables");
        }
        if (memories > limits.maxMemories()) {
            limit("memories", memories, limits.maxMemories(), "maxMemories");
        }
        if (globals > limits.maxGlobals()) {
            limit("globals", globals, limits.maxGlobals(), "maxGlobals");
        }
    }

    /**
     * Reads a count of things that each take at least one byte: more than the bytes left is
     * malformed whatever the limit; more than {@code max} breaks the limit named {@code setting}
     * (a LoadLimits setting, or a fixed limit when it does not start with "max").
     */
    int count(String what, int max, String setting) {
        long n = in.u32();
        if (n > in.end - in.pos) {
            throw new Malformed("declares " + n + " " + what + " but only " + (in.end - in.pos) + " bytes remain");
        }
        if (n > max) {
            limit(what, n, max, setting);
        }
        return (int) n;
    }

    void limit(String what, long n, long max, String setting) {
        String fix = setting == null ? "" : setting.startsWith("max")
                ? ": raise LoadLimits." + setting + " if the module is trusted" : " (" + setting + ")";
        throw new ModuleLoadException(Reason.LIMITS, "module '" + name + "' has " + n + " " + what
                + (where.equals("module") || what.contains(" in ") ? "" : " (" + where + ")") + ", more than the " + max + " allowed" + fix);
    }

    void checkIndex(long idx, int size, String space, String user) {
        if (idx < 0 || idx >= size) {
            throw new ModuleLoadException(Reason.INVALID, "module '" + name + "' is invalid: " + user + " (" + where
                    + ") refers to " + space + " " + idx + ", but the module has " + size + " " + plural(space));
        }
    }

    private static String plural(String space) {
        return space.endsWith("y") ? space.substring(0, space.length() - 1) + "ies" : space + "s";
    }

    void feature(WasmFeature f, String what) {
        used.add(f);
        if (!enabled.contains(f)) {
            String why = f.supported()
                    ? ": enable it with ModuleLoader.enable(WasmFeature." + f.name() + ") if the module is trusted"
                    : ": Corral cannot run it";
            throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + name + "' uses " + f.describe() + " (" + what
                    + ", " + where + "), which is not enabled" + why);
        }
    }
}
