package dev.corral.internal.chicory;

import dev.corral.LoadLimits;
import dev.corral.WasmFeature;
import dev.corral.internal.Engine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * The pre-validator's verdict, kept in the compile cache so a warm start does not read every
 * instruction again (~0.2-0.7 s of a 3.7 MB Go module's warm start). {@link ModuleScanner} must
 * still hold on every load, because this load's {@link LoadLimits} and features may be stricter
 * than the first one's; but for fixed bytes its outcome depends on those settings only through
 * comparisons of maxima it records (module size, functions, function size, locals, nesting, tables,
 * memories, globals: {@link ModuleScanner.Facts}) and through the features the module uses. So the
 * facts of a scan that passed, checked against this load's settings, answer "passes" exactly when
 * the scan would. Anything else (no entry, a damaged one, facts over a limit or a feature not
 * enabled) runs the scan itself, which also gives the precise message.
 */
final class CachedScan {
    private static final String VERSION = "scan-1";

    private CachedScan() {}

    /**
     * The facts of an earlier scan of these bytes if they prove this load's scan passes, else null
     * (then run {@link ModuleScanner#scan}).
     */
    static ModuleScanner.Facts lookup(Engine engine, String sha256, int size, LoadLimits limits, Set<WasmFeature> enabled) {
        ModuleScanner.Facts cached = read(engine, key(sha256));
        return cached != null && passes(cached, size, limits, enabled) ? cached : null;
    }

    /**
     * Keeps the facts of a module that loaded: only then, because a scan can pass on bytes Chicory
     * then refuses (more bodies than functions), where a stricter limit would have failed the scan.
     */
    static void remember(Engine engine, String sha256, ModuleScanner.Facts facts) {
        write(engine, key(sha256), facts);
    }

    private static String key(String sha256) {
        return CacheAdapter.key(VERSION + "/" + sha256);
    }

    /** Whether a scan of the bytes these facts came from passes under these settings. */
    static boolean passes(ModuleScanner.Facts f, int size, LoadLimits limits, Set<WasmFeature> enabled) {
        return size <= limits.maxModuleSize()
                && f.functions() <= limits.maxFunctions()
                && f.maxFunctionSize() <= limits.maxFunctionSize()
                && f.maxLocals() <= limits.maxLocals()
                && f.maxNesting() <= limits.maxNestingDepth()
                && f.tables() <= limits.maxTables()
                && f.memories() <= limits.maxMemories()
                && f.globals() <= limits.maxGlobals()
                && enabled.containsAll(f.features());
    }

    private static ModuleScanner.Facts read(Engine engine, String key) {
        try {
            byte[] data = engine.compileCache().get(key);
            if (data == null) {
                return null;
            }
            var in = new DataInputStream(new ByteArrayInputStream(data));
            if (!VERSION.equals(in.readUTF())) {
                return null;
            }
            int types = in.readInt();
            int functions = in.readInt();
            int importedFunctions = in.readInt();
            int tables = in.readInt();
            int memories = in.readInt();
            int globals = in.readInt();
            int maxFunctionSize = in.readInt();
            int maxLocals = in.readInt();
            int maxNesting = in.readInt();
            long instructions = in.readLong();
            var features = EnumSet.noneOf(WasmFeature.class);
            for (int n = in.readInt(); n > 0; n--) {
                features.add(WasmFeature.valueOf(in.readUTF()));
            }
            if (in.available() != 0) {
                return null;
            }
            return new ModuleScanner.Facts(types, functions, importedFunctions, tables, memories, globals, maxFunctionSize,
                    maxLocals, maxNesting, instructions, Set.copyOf(features));
        } catch (IOException | RuntimeException e) {
            return null; // a damaged entry costs a scan
        }
    }

    private static void write(Engine engine, String key, ModuleScanner.Facts f) {
        var bytes = new ByteArrayOutputStream(128);
        try (var out = new DataOutputStream(bytes)) {
            out.writeUTF(VERSION);
            out.writeInt(f.types());
            out.writeInt(f.functions());
            out.writeInt(f.importedFunctions());
            out.writeInt(f.tables());
            out.writeInt(f.memories());
            out.writeInt(f.globals());
            out.writeInt(f.maxFunctionSize());
            out.writeInt(f.maxLocals());
            out.writeInt(f.maxNesting());
            out.writeLong(f.instructions());
            out.writeInt(f.features().size());
            for (var feature : f.features()) {
                out.writeUTF(feature.name());
            }
        } catch (IOException e) {
            return;
        }
        try {
            engine.compileCache().putIfAbsent(key, bytes.toByteArray());
        } catch (IOException | RuntimeException e) {
            // only the next load scans again
        }
    }
}
