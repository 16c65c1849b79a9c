package dev.corral.bindings;

import dev.corral.FunctionSignature;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.spi.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The host's side of calls into a plugin's exports (guest interfaces). One per generated binding,
 * created in its constructor: it checks the ABI version and resolves the allocator once.
 *
 * <p>Ownership (guest-sdks/ABI.md): arguments are allocated by the host with the guest's
 * allocator, lent to the export for the call, and freed by the host afterwards; results are
 * allocated by the guest and freed by the host once copied out. After a failed call nothing is
 * freed: a plugin that trapped should be discarded.
 */
public final class GuestAbi {
    private final Plugin plugin;
    private final GuestMemory memory;
    private final PluginFunction allocator;

    private GuestAbi(Plugin plugin, GuestMemory memory, PluginFunction allocator) {
        this.plugin = plugin;
        this.memory = memory;
        this.allocator = allocator;
    }

    /**
     * @param pointers whether any method passes strings or bytes; only then are the ABI version,
     *     the memory and the allocator required
     */
    public static GuestAbi of(Plugin plugin, boolean pointers) {
        if (!pointers) {
            return new GuestAbi(plugin, null, null);
        }
        Abi.requireVersion(plugin.module());
        if (plugin.module().exportedFunction(Abi.ALLOCATOR).isEmpty()) {
            throw new AbiException("plugin '" + plugin.name() + "' exports no " + Abi.ALLOCATOR + " (see guest-sdks/ABI.md)");
        }
        PluginFunction allocator = plugin.function(Abi.ALLOCATOR);
        Abi.checkAllocator(allocator, plugin.name());
        return new GuestAbi(plugin, plugin.memory(), allocator);
    }

    /** Resolves an export once, refusing a missing one or one with another signature. */
    public PluginFunction export(String name, FunctionSignature expected, String method) {
        var actual = plugin.module().exportedFunction(name);
        if (actual.isEmpty()) {
            throw new AbiException("plugin '" + plugin.name() + "' exports no function '" + name + "' for " + method);
        }
        if (!actual.get().equals(expected)) {
            throw new AbiException("plugin '" + plugin.name() + "' exports '" + name + "' as " + actual.get() + ", but " + method
                    + " needs " + expected);
        }
        return plugin.function(name);
    }

    /** The ABI shape of an export taking one string or bytes and returning one: {@code (i32, i32) -> (i64)}. */
    public static final FunctionSignature BYTES_TO_BYTES = FunctionSignature.of(
            java.util.List.of(dev.corral.ValueType.I32, dev.corral.ValueType.I32), java.util.List.of(dev.corral.ValueType.I64));

    /**
     * Calls an export of shape {@code (string) -> string} without a Java interface, e.g. from a
     * command line: {@code GuestAbi.of(plugin, true).callString("greet", "Corral")}.
     */
    public String callString(String export, String input) {
        return liftString(call(export, lower(input)));
    }

    /** Calls an export of shape {@code (bytes) -> bytes}; see {@link #callString}. */
    public byte[] callBytes(String export, byte[] input) {
        return liftBytes(call(export, lower(input)));
    }

    /** Calls with a lent argument, frees it, and returns the packed result for lifting. */
    private long call(String export, long arg) {
        var f = export(export, BYTES_TO_BYTES, "a (string) -> string call");
        long result = f.callRaw(Abi.ptr(arg), Abi.len(arg))[0];
        free(arg);
        return result;
    }

    // ---- arguments: host -> guest, freed by the host after the call ----

    public long lower(String s) {
        if (s == null) {
            throw new NullPointerException("null String argument; the Corral ABI has no null");
        }
        return lower(s.getBytes(StandardCharsets.UTF_8));
    }

    public long lower(byte[] b) {
        if (b == null) {
            throw new NullPointerException("null byte[] argument; the Corral ABI has no null");
        }
        if (b.length == 0) {
            return 0;
        }
        int ptr = Abi.allocate(allocator, memory, b.length, plugin.name());
        memory.write(ptr, b);
        return Abi.pack(ptr, b.length);
    }

    public long lower(ByteBuffer b) {
        if (b == null) {
            throw new NullPointerException("null ByteBuffer argument; the Corral ABI has no null");
        }
        byte[] copy = new byte[b.remaining()];
        b.duplicate().get(copy);
        return lower(copy);
    }

    public void free(long packed) {
        int len = Abi.len(packed);
        if (len != 0) {
            Abi.free(allocator, Abi.ptr(packed), len);
        }
    }

    // ---- results: guest -> host, freed by the host once copied ----

    public String liftString(long packed) {
        int len = Abi.len(packed);
        if (len == 0) {
            return "";
        }
        String s = memory.readString(Abi.ptr(packed), len);
        Abi.free(allocator, Abi.ptr(packed), len);
        return s;
    }

    public byte[] liftBytes(long packed) {
        int len = Abi.len(packed);
        if (len == 0) {
            return new byte[0];
        }
        byte[] b = memory.read(Abi.ptr(packed), len);
        Abi.free(allocator, Abi.ptr(packed), len);
        return b;
    }

    /** A copy (the guest's buffer is freed), read-only like host-function arguments. */
    public ByteBuffer liftBuffer(long packed) {
        return ByteBuffer.wrap(liftBytes(packed)).asReadOnlyBuffer();
    }
}
