package dev.corral.proxywasm.internal;

import dev.corral.GuestMemoryException;
import dev.corral.spi.HostContext;
import java.nio.charset.StandardCharsets;

/**
 * Moving data across the ABI: reading what the guest points at, and handing it data in memory it
 * allocates itself ({@code proxy_on_memory_allocate}, or {@code malloc} in older SDKs), then writing
 * the pointer and size where it asked. Every guest pointer is untrusted: a range outside its memory
 * becomes {@code INVALID_MEMORY_ACCESS} for the guest, never an exception for the host.
 */
final class GuestIo {
    private GuestIo() {}

    /** A status to return to the guest, thrown to leave a host function early. */
    static final class Status extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        Status(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    static final Status INVALID_MEMORY = new Status(Abi.INVALID_MEMORY_ACCESS);
    static final Status BAD_ARGUMENT = new Status(Abi.BAD_ARGUMENT);
    static final Status NOT_FOUND = new Status(Abi.NOT_FOUND);

    static byte[] read(HostContext c, long ptr, long len, int max) throws Status {
        if (len < 0 || len > 0xFFFF_FFFFL) {
            throw INVALID_MEMORY;
        }
        if (len > max) {
            throw BAD_ARGUMENT;
        }
        if (len == 0) {
            return new byte[0];
        }
        try {
            return c.memory().read((int) ptr, (int) len);
        } catch (GuestMemoryException e) {
            throw INVALID_MEMORY;
        }
    }

    static void checkRange(HostContext c, long ptr, long len) throws Status {
        if (Integer.toUnsignedLong((int) ptr) + len > c.memory().size()) {
            throw INVALID_MEMORY;
        }
    }

    static String readLatin1(HostContext c, long ptr, long len, int max) throws Status {
        return new String(read(c, ptr, len, max), StandardCharsets.ISO_8859_1);
    }

    static String readUtf8(HostContext c, long ptr, long len, int max) throws Status {
        return new String(read(c, ptr, len, max), StandardCharsets.UTF_8);
    }

    static void writeInt(HostContext c, long ptr, int value) throws Status {
        try {
            c.memory().writeInt((int) ptr, value);
        } catch (GuestMemoryException e) {
            throw INVALID_MEMORY;
        }
    }

    static void writeLong(HostContext c, long ptr, long value) throws Status {
        try {
            c.memory().writeLong((int) ptr, value);
        } catch (GuestMemoryException e) {
            throw INVALID_MEMORY;
        }
    }

    /**
     * Copies {@code data} into memory the guest allocates, and writes its address and size to
     * {@code ptrPtr} and {@code sizePtr}. Empty data is handed over as (0, 0) without allocating.
     */
    static void give(HostContext c, VmState vm, byte[] data, long ptrPtr, long sizePtr) throws Status {
        int ptr = 0;
        if (data.length > 0) {
            if (vm.alloc == null) {
                vm.alloc = c.function(vm.allocExport);
            }
            // the guest's allocator runs inside this host call, under the same deadline and fuel
            ptr = (int) vm.alloc.callRaw(data.length)[0];
            if (ptr == 0) {
                throw INVALID_MEMORY;
            }
            try {
                c.memory().write(ptr, data);
            } catch (GuestMemoryException e) {
                throw INVALID_MEMORY;
            }
        }
        writeInt(c, ptrPtr, ptr);
        writeInt(c, sizePtr, data.length);
    }
}
