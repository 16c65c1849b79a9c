package dev.corral.bindings;

import dev.corral.ExternKind;
import dev.corral.FunctionSignature;
import dev.corral.PluginFunction;
import dev.corral.PluginModule;
import dev.corral.ValueType;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The Corral guest ABI, version {@value #VERSION} (guest-sdks/ABI.md), as the generated bindings
 * use it. Public for generated code; hosts rarely call it directly.
 *
 * <p>Everything the guest hands over is untrusted: ranges are bounds-checked by
 * {@link GuestMemory} ({@link dev.corral.GuestMemoryException}), strings must be strict UTF-8,
 * and what the guest's allocator returns is checked before a byte is written
 * ({@link AbiException}).
 */
public final class Abi {
    /** The ABI version this host speaks. */
    public static final int VERSION = 1;
    /** Every export whose name starts with this declares an ABI version: {@code corral_abi_v<N>}. */
    public static final String VERSION_EXPORT_PREFIX = "corral_abi_v";
    /** The export a plugin built for this ABI version has. */
    public static final String VERSION_EXPORT = VERSION_EXPORT_PREFIX + VERSION;
    /** The guest's allocator: {@code cabi_realloc(old_ptr, old_size, align, new_size) -> ptr}. */
    public static final String ALLOCATOR = "cabi_realloc";
    public static final FunctionSignature ALLOCATOR_SIGNATURE = FunctionSignature.of(
            List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32), List.of(ValueType.I32));
    /** Results of a void host function; never written to. */
    public static final long[] NO_RESULTS = new long[0];

    private Abi() {}

    // ---- packed (ptr, len) ----

    /** {@code ptr} in the high 32 bits, {@code len} in the low 32 bits. */
    public static long pack(int ptr, int len) {
        return ((long) ptr << 32) | Integer.toUnsignedLong(len);
    }

    public static int ptr(long packed) {
        return (int) (packed >>> 32);
    }

    public static int len(long packed) {
        return (int) packed;
    }

    // ---- version ----

    /**
     * Refuses a plugin that does not declare {@link #VERSION_EXPORT}, naming the version it was
     * built for if it declares another.
     */
    public static void requireVersion(PluginModule module) {
        requireVersion(module.exports(), module.name());
    }

    /**
     * As {@link #requireVersion(PluginModule)}, from a module's exports alone: for a module only
     * parsed so far ({@code ModuleInfo}), before paying for its compilation.
     */
    public static void requireVersion(java.util.List<dev.corral.ExportDescriptor> exports, String moduleName) {
        String other = null;
        for (var e : exports) {
            if (e.kind() != ExternKind.FUNCTION || !e.name().startsWith(VERSION_EXPORT_PREFIX)) {
                continue;
            }
            if (e.name().equals(VERSION_EXPORT)) {
                return;
            }
            other = e.name();
        }
        if (other != null) {
            throw new AbiException("plugin '" + moduleName + "' was built for Corral guest ABI v"
                    + other.substring(VERSION_EXPORT_PREFIX.length()) + " (it exports " + other + "), but this host speaks v"
                    + VERSION + ": rebuild it with a guest SDK for ABI v" + VERSION + " or use a matching Corral");
        }
        throw new AbiException("plugin '" + moduleName + "' declares no Corral guest ABI version: it must export a function named "
                + VERSION_EXPORT + " (the Corral guest SDKs do; see guest-sdks/ABI.md)");
    }

    /**
     * For {@link dev.corral.spi.HostModuleDef#checkPlugin}: requires the ABI version if the plugin
     * imports any of {@code functions} (those that pass pointers) from {@code hostModule}.
     */
    public static void checkImports(PluginModule module, String hostModule, Set<String> functions) {
        for (var im : module.imports()) {
            if (im.kind() == ExternKind.FUNCTION && im.module().equals(hostModule) && functions.contains(im.name())) {
                requireVersion(module);
                return;
            }
        }
    }

    // ---- guest -> host arguments (borrowed for the call) ----

    public static String readString(GuestMemory memory, long ptr, long len) {
        return memory.readString((int) ptr, (int) len);
    }

    public static byte[] readBytes(GuestMemory memory, long ptr, long len) {
        return memory.read((int) ptr, (int) len);
    }

    public static ByteBuffer readBuffer(GuestMemory memory, long ptr, long len) {
        return memory.readOnlyView((int) ptr, (int) len);
    }

    // ---- host -> guest results (owned by the guest) ----

    /** Copies {@code s} as UTF-8 into memory from the guest's allocator; returns packed (ptr, len). */
    public static long returnString(HostContext ctx, String s) {
        if (s == null) {
            throw new NullPointerException("returned a null String; the Corral ABI has no null: return \"\"");
        }
        return returnBytes(ctx, s.getBytes(StandardCharsets.UTF_8));
    }

    public static long returnBytes(HostContext ctx, byte[] b) {
        if (b == null) {
            throw new NullPointerException("returned a null byte[]; the Corral ABI has no null: return new byte[0]");
        }
        if (b.length == 0) {
            return 0;
        }
        GuestMemory memory = ctx.memory();
        int ptr = allocate(allocator(ctx), memory, b.length, ctx.pluginName());
        memory.write(ptr, b);
        return pack(ptr, b.length);
    }

    public static long returnBuffer(HostContext ctx, ByteBuffer b) {
        if (b == null) {
            throw new NullPointerException("returned a null ByteBuffer; the Corral ABI has no null: return an empty buffer");
        }
        byte[] copy = new byte[b.remaining()];
        b.duplicate().get(copy);
        return returnBytes(ctx, copy);
    }

    private static PluginFunction allocator(HostContext ctx) {
        PluginFunction f;
        try {
            f = ctx.function(ALLOCATOR);
        } catch (IllegalArgumentException e) {
            throw new AbiException("plugin '" + ctx.pluginName() + "' exports no " + ALLOCATOR
                    + ", so the host cannot hand it strings or bytes (see guest-sdks/ABI.md)");
        }
        checkAllocator(f, ctx.pluginName());
        return f;
    }

    static void checkAllocator(PluginFunction f, String plugin) {
        if (!f.signature().equals(ALLOCATOR_SIGNATURE)) {
            throw new AbiException("plugin '" + plugin + "' exports " + ALLOCATOR + " as " + f.signature() + ", expected "
                    + ALLOCATOR_SIGNATURE);
        }
    }

    /**
     * {@code len} fresh bytes from the guest's allocator, checked: a null or out-of-range pointer
     * is an {@link AbiException}, never a write.
     */
    static int allocate(PluginFunction allocator, GuestMemory memory, int len, String plugin) {
        int ptr = (int) allocator.callRaw(0, 0, 1, len)[0];
        if (ptr == 0) {
            throw new AbiException("plugin '" + plugin + "': " + ALLOCATOR + " returned 0 for " + len + " bytes (out of memory?)");
        }
        long end = Integer.toUnsignedLong(ptr) + len;
        if (end > memory.size()) {
            throw new AbiException("plugin '" + plugin + "': " + ALLOCATOR + " returned [" + Integer.toUnsignedLong(ptr) + ", " + end
                    + ") for " + len + " bytes, outside its memory of " + memory.size() + " bytes");
        }
        return ptr;
    }

    static void free(PluginFunction allocator, int ptr, int len) {
        allocator.callRaw(ptr, len, 1, 0);
    }
}
