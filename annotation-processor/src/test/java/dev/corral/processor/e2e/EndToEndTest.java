package dev.corral.processor.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.GuestMemoryException;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.bindings.Abi;
import dev.corral.bindings.AbiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Generated bindings against a WAT plugin, in both execution modes: every type both ways, and
 * hostile pointers, lengths, bytes and allocators ending the call with a typed Corral error.
 */
class EndToEndTest {
    private static Corral compiled;
    private static Corral interpreted;

    @BeforeAll
    static void engines() {
        compiled = Corral.builder().executionMode(ExecutionMode.COMPILED).build();
        interpreted = Corral.builder().executionMode(ExecutionMode.INTERPRETED).build();
    }

    @AfterAll
    static void close() {
        compiled.close();
        interpreted.close();
    }

    private static PluginModule load(ExecutionMode mode, String name) throws IOException {
        try (InputStream in = EndToEndTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            return (mode == ExecutionMode.COMPILED ? compiled : interpreted).load(in);
        }
    }

    private static Plugin plugin(ExecutionMode mode, Demo demo) throws IOException {
        return load(mode, "abi_guest").instantiate(PluginPolicy.builder().hostModule(new Demo_CorralHost(demo)).build());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void everyTypeCrossesBothWays(ExecutionMode mode) throws IOException {
        var demo = new Demo();
        var f = plugin(mode, demo).as(Forwarder.class);
        assertEquals("Hello, Corral!", f.callGreet("Corral"));
        assertEquals("Hello, żółw 🐢 ünïcødé!", f.callGreet("żółw 🐢 ünïcødé"));
        assertEquals("Hello, !", f.callGreet(""));
        assertEquals("Hello, \uFFFD!", f.callGreet("\uFFFD")); // a genuine replacement character is valid UTF-8
        assertArrayEquals(new byte[] {3, 2, 1, 0, -1}, f.callReverse(new byte[] {-1, 0, 1, 2, 3}));
        assertArrayEquals(new byte[0], f.callReverse(new byte[0]));
        assertEquals(255 + 1 + 2, f.callSum(ByteBuffer.wrap(new byte[] {9, (byte) 255, 1, 2}, 1, 3)));
        assertEquals(-7, f.callAdd(-10, 3));
        assertEquals(Integer.MIN_VALUE, f.callAdd(Integer.MAX_VALUE, 1));
        assertEquals(3.75, f.callScale(1.5, 2.5f));
        assertTrue(f.callNot(false));
        assertFalse(f.callNot(true));
        assertEquals(3 * 0x1_0000_0001L, f.callBig(0x1_0000_0001L));
        assertEquals(-3L, f.callBig(-1L));
        f.callLog("one");
        f.callLog("");
        assertEquals(List.of("one", ""), demo.logged);
        assertEquals("Hello, Hello, x!!", f.twice("x"));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aByteBufferArgumentIsAZeroCopyViewOfGuestMemory(ExecutionMode mode) throws IOException {
        var demo = new Demo();
        var p = plugin(mode, demo);
        byte[] pattern = "corral-view-0123456789".getBytes(StandardCharsets.US_ASCII);
        int sum = 0;
        for (byte b : pattern) {
            sum += b;
        }
        assertEquals(sum, p.as(Forwarder.class).callSum(ByteBuffer.wrap(pattern)));
        ByteBuffer view = demo.lastBuffer;
        assertTrue(view.isReadOnly());
        assertFalse(view.hasArray(), "the memory behind the view is not reachable");
        assertEquals(pattern.length, view.capacity());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, view.order());
        // find where the argument was lent in guest memory and change it there: a view sees the change
        var memory = p.memory();
        byte[] all = memory.read(0, (int) memory.size());
        int at = indexOf(all, pattern);
        assertTrue(at >= 0, "the lent argument is still in guest memory");
        memory.writeByte(at, (byte) 'C');
        assertEquals('C', view.get(0), "not a copy: the guest's memory shows through");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void exportsCanBeCalledWithoutAnInterface(ExecutionMode mode) throws IOException {
        var p = plugin(mode, new Demo());
        var abi = dev.corral.bindings.GuestAbi.of(p, true);
        assertEquals("Hello, Corral!", abi.callString("greet", "Corral"));
        assertArrayEquals("Hello, \u0000\u00ff!".getBytes(StandardCharsets.UTF_8),
                abi.callBytes("greet", "\u0000\u00ff".getBytes(StandardCharsets.UTF_8)));
        var e = assertThrows(AbiException.class, () -> abi.callString("allocs", "x"));
        assertTrue(e.getMessage().contains("exports 'allocs' as () -> (i32)"), e.getMessage());
        assertThrows(AbiException.class, () -> abi.callString("nope", "x"));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void reentryIntoTheAllocatorWorksUnderADeadline(ExecutionMode mode) throws IOException {
        var policy = PluginPolicy.builder().hostModule(new Demo_CorralHost(new Demo())).timeout(java.time.Duration.ofSeconds(5)).build();
        var f = load(mode, "abi_guest").instantiate(policy).as(Forwarder.class);
        for (int i = 0; i < 100; i++) {
            assertEquals("Hello, " + i + "!", f.callGreet(String.valueOf(i)));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void contextNamesTheCallingPlugin(ExecutionMode mode) throws IOException {
        var p = plugin(mode, new Demo());
        assertEquals(p.name(), p.as(Forwarder.class).callPluginName());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aMebibyteStringRoundTripsAndEveryBufferIsFreed(ExecutionMode mode) throws IOException {
        var f = plugin(mode, new Demo()).as(Forwarder.class);
        String big = "ü".repeat(512 * 1024); // 1 MiB of UTF-8
        int allocs = f.allocs();
        int frees = f.frees();
        assertEquals("Hello, " + big + "!", f.guestGreet(big));
        // host lent the argument (1 alloc, freed after) and freed the guest's result (1 alloc)
        assertEquals(allocs + 2, f.allocs());
        assertEquals(frees + 2, f.frees());
        // guest -> host -> guest: host frees the argument it lent and the result it read; the
        // host function's result is the guest's, returned to the host, which frees it
        assertEquals("Hello, " + big + "!", f.callGreet(big));
        assertEquals(allocs + 4, f.allocs());
        assertEquals(frees + 4, f.frees());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostilePointersAndLengthsEndTheCallWithAGuestMemoryError(ExecutionMode mode) throws IOException {
        var p = plugin(mode, new Demo());
        var greet = p.function("call_greet");
        long size = p.memory().size();
        var e = assertThrows(GuestMemoryException.class, () -> greet.callRaw(-16, 32)); // unsigned: past the end
        assertTrue(e.getMessage().contains("outside the plugin's memory"), e.getMessage());
        e = assertThrows(GuestMemoryException.class, () -> greet.callRaw(0, -1));
        assertTrue(e.getMessage().contains("negative length"), e.getMessage());
        assertThrows(GuestMemoryException.class, () -> greet.callRaw(0, Integer.MAX_VALUE));
        assertThrows(GuestMemoryException.class, () -> greet.callRaw((int) size - 4, 5));
        assertThrows(GuestMemoryException.class, () -> p.function("call_reverse").callRaw(Integer.MIN_VALUE, 1));
        assertThrows(GuestMemoryException.class, () -> p.function("call_sum").callRaw(1, -100));
        assertThrows(GuestMemoryException.class, () -> p.function("call_log").callRaw((int) size, 1));
        // an empty range right at the end is fine
        assertEquals(0, p.function("call_sum").callRaw((int) size, 0)[0]);
        // and the plugin still works afterwards
        assertEquals("Hello, ok!", p.as(Forwarder.class).callGreet("ok"));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void invalidUtf8FromTheGuestIsRefused(ExecutionMode mode) throws IOException {
        var p = plugin(mode, new Demo());
        byte[][] bad = {
            {(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xc0, (byte) 0x80} /* overlong NUL */,
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80} /* surrogate */, {'o', 'k', (byte) 0x80}
        };
        for (byte[] b : bad) {
            p.memory().write(512, b);
            var e = assertThrows(GuestMemoryException.class, () -> p.function("call_greet").callRaw(512, b.length));
            assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
            // a guest result that is not UTF-8 is refused too
            var f = p.as(Forwarder.class);
            assertThrows(GuestMemoryException.class, () -> f.rawResult(Abi.pack(512, b.length)));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostileResultsFromGuestExportsAreRefused(ExecutionMode mode) throws IOException {
        var p = plugin(mode, new Demo());
        var f = p.as(Forwarder.class);
        long size = p.memory().size();
        assertThrows(GuestMemoryException.class, () -> f.rawResult(Abi.pack(-1, 2)));
        assertThrows(GuestMemoryException.class, () -> f.rawResult(Abi.pack(0, -1)));
        assertThrows(GuestMemoryException.class, () -> f.rawResultBytes(Abi.pack((int) size - 1, 2)));
        assertThrows(GuestMemoryException.class, () -> f.rawResultBytes(Abi.pack(16, Integer.MAX_VALUE)));
        p.memory().write(600, "fine".getBytes(StandardCharsets.UTF_8));
        assertEquals("fine", f.rawResult(Abi.pack(600, 4)));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void allocatorFailuresEndTheCallWithAnAbiError(ExecutionMode mode) throws IOException {
        var p = plugin(mode, new Demo());
        var f = p.as(Forwarder.class);
        // 1: returns 0; 2: a pointer past the end of memory; 3: the last byte (too small for the data)
        for (int m = 1; m <= 3; m++) {
            f.setAllocMode(m);
            // host -> guest argument
            var e = assertThrows(AbiException.class, () -> f.guestGreet("abc"));
            assertTrue(e.getMessage().contains("cabi_realloc returned"), e.getMessage());
            // host function result handed to the guest (argument lent by pointer, no allocation)
            p.memory().write(512, "abc".getBytes(StandardCharsets.UTF_8));
            e = assertThrows(AbiException.class, () -> p.function("call_greet").callRaw(512, 3));
            assertTrue(e.getMessage().contains("cabi_realloc returned"), e.getMessage());
            f.setAllocMode(0);
            assertEquals("Hello, abc!", f.callGreet("abc"));
        }
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aPluginForAnotherAbiVersionIsRefusedAtInstantiationAndAtAs(ExecutionMode mode) throws IOException {
        var policy = PluginPolicy.builder().hostModule(new Demo_CorralHost(new Demo())).build();
        var e = assertThrows(AbiException.class, () -> load(mode, "abi_v2").instantiate(policy));
        assertTrue(e.getMessage().contains("built for Corral guest ABI v2") && e.getMessage().contains("speaks v1"), e.getMessage());
        var bare = load(mode, "abi_v2_exports").instantiate();
        e = assertThrows(AbiException.class, () -> bare.as(Greeter.class));
        assertTrue(e.getMessage().contains("ABI v2"), e.getMessage());

        e = assertThrows(AbiException.class, () -> load(mode, "no_abi").instantiate(policy));
        assertTrue(e.getMessage().contains("declares no Corral guest ABI version") && e.getMessage().contains("corral_abi_v1"),
                e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void numbersOnlyNeedNoAbiMarker(ExecutionMode mode) throws IOException {
        var p = load(mode, "prims_only").instantiate(PluginPolicy.builder().hostModule(new Demo_CorralHost(new Demo())).build());
        assertEquals(42, p.as(Adder.class).callAdd(40, 2));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void missingOrMistypedExportsAreNamedAtAs(ExecutionMode mode) throws IOException {
        var p = load(mode, "prims_only").instantiate(PluginPolicy.builder().hostModule(new Demo_CorralHost(new Demo())).build());
        // Greeter needs the string ABI; prims_only has no marker
        assertThrows(AbiException.class, () -> p.as(Greeter.class));
        var q = plugin(mode, new Demo());
        var e = assertThrows(IllegalArgumentException.class, () -> q.as(Runnable.class));
        assertTrue(e.getMessage().contains("@GuestInterface"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void hostExceptionsReachTheCallerTyped(ExecutionMode mode) throws IOException {
        var demo = new Demo() {
            @Override
            public String greet(String name) {
                throw new IllegalStateException("no greetings today");
            }
        };
        var f = plugin(mode, demo).as(Forwarder.class);
        var e = assertThrows(dev.corral.HostFunctionException.class, () -> f.callGreet("x"));
        assertEquals("demo.greet", e.function());
        assertEquals("no greetings today", e.getCause().getMessage());
    }
}
