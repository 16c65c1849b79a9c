package dev.corral.internal.chicory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import static org.junit.jupiter.api.Assertions.assertNull;

import static org.junit.jupiter.api.Assertions.assertSame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FlatMemory against Chicory's ByteArrayMemory, the implementation it replaces: every operation,
 * in range, across the old page boundaries and out of range, must give the same bytes, the same
 * results and the same out-of-bounds trap.
 */
class FlatMemoryTest {
    private static final int PAGE = Memory.PAGE_SIZE;

    /** Runs op on both memories: same value, or both trap out of bounds. */
    private static <T> void same(Memory flat, Memory paged, Function<Memory, T> op, String what) {
        Object a;
        Object b;
        try {
            a = op.apply(paged);
        } catch (WasmRuntimeException e) {
            a = "trap";
            assertTrue(e.getMessage().contains("out of bounds memory access"), what + ": " + e.getMessage());
        }
        try {
            b = op.apply(flat);
        } catch (WasmRuntimeException e) {
            b = "trap";
            assertTrue(e.getMessage().contains("out of bounds memory access"), what + ": " + e.getMessage());
        }
        if (a instanceof byte[]) {
            assertArrayEquals((byte[]) a, (byte[]) b, what);
        } else {
            assertEquals(a, b, what);
        }
    }

    private static int address(Random r, Memory m) {
        int size = m.pages() * PAGE;
        switch (r.nextInt(6)) {
            case 0: return r.nextInt(Math.max(size, 1));
            case 1: return size - r.nextInt(10); // at the end: partly and wholly out
            case 2: return (r.nextInt(Math.max(m.pages(), 1)) + 1) * PAGE - r.nextInt(8); // across an old page edge
            case 3: return -r.nextInt(10) - 1; // above 2 GiB unsigned
            case 4: return Integer.MIN_VALUE + r.nextInt(10);
            default: return r.nextInt(size + 100);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void behavesLikeChicorysPagedMemory(long seed) {
        var r = new Random(seed);
        var limits = new MemoryLimits(1, 6);
        Memory flat = new FlatMemory(limits);
        Memory paged = new ByteArrayMemory(limits);
        byte[] segment = new byte[300];
        r.nextBytes(segment);
        DataSegment[] segments = {new PassiveDataSegment(segment)};
        flat.initialize(null, segments);
        paged.initialize(null, segments);
        for (int i = 0; i < 20_000; i++) {
            int op = r.nextInt(20);
            int a = address(r, paged);
            int b = address(r, paged);
            long v = r.nextLong();
            int len = r.nextInt(8) == 0 ? -r.nextInt(5) - 1 : r.nextInt(r.nextBoolean() ? 16 : 3 * PAGE);
            String what = "seed " + seed + " step " + i + " op " + op + " a=" + a + " b=" + b + " len=" + len;
            switch (op) {
                case 0: same(flat, paged, m -> { m.writeByte(a, (byte) v); return m.read(a); }, what); break;
                case 1: same(flat, paged, m -> { m.writeShort(a, (short) v); return m.readShort(a) + ":" + m.readU16(a); }, what); break;
                case 2: same(flat, paged, m -> { m.writeI32(a, (int) v); return m.readInt(a) + ":" + m.readU32(a); }, what); break;
                case 3: same(flat, paged, m -> { m.writeLong(a, v); return m.readLong(a); }, what); break;
                case 4: same(flat, paged, m -> { m.writeF32(a, Float.intBitsToFloat((int) v)); return m.readF32(a) + ":" + Float.floatToRawIntBits(m.readFloat(a)); }, what); break;
                case 5: same(flat, paged, m -> { m.writeF64(a, Double.longBitsToDouble(v)); return m.readF64(a) + ":" + Double.doubleToRawLongBits(m.readDouble(a)); }, what); break;
                case 6: same(flat, paged, m -> m.readInt(a) + ":" + m.readLong(a), what); break;
                case 7: same(flat, paged, m -> m.readBytes(a, len), what); break;
                case 8: {
                    byte[] data = new byte[Math.max(len, 0) + 4];
                    r.nextBytes(data);
                    int off = r.nextInt(6);
                    same(flat, paged, m -> { m.write(a, data, off, len); return m.readBytes(a, len); }, what);
                    break;
                }
                case 9: same(flat, paged, m -> { m.fill((byte) v, a, a + len); return m.readBytes(a, len); }, what); break;
                case 10: same(flat, paged, m -> { m.copy(a, b, len); return m.readBytes(a, len); }, what); break;
                case 11: same(flat, paged, m -> { m.copy(a, a + (int) (v & 7), len); return m.readBytes(a, len + 8); }, what); break;
                case 12: {
                    int pages = r.nextInt(10) == 0 ? -1 : r.nextInt(3);
                    same(flat, paged, m -> m.grow(pages) + ":" + m.pages(), what);
                    break;
                }
                case 13: {
                    int from = r.nextInt(400);
                    same(flat, paged, m -> { m.initPassiveSegment(0, a, from, Math.min(len, 200)); return m.readBytes(a, 16); }, what);
                    break;
                }
                case 14: same(flat, paged, m -> m.readString(a, Math.min(len, 64)), what); break;
                case 15: same(flat, paged, m -> { m.writeString(a, "héllo" + v); return m.readBytes(a, 30); }, what); break;
                case 16: same(flat, paged, m -> m.atomicAddInt(a & ~3, (int) v) + ":" + m.atomicReadInt(a & ~3), what); break;
                case 17: same(flat, paged, m -> m.atomicCmpxchgLong(a & ~7, v, ~v) + ":" + m.atomicXchgShort(a & ~1, (short) v), what); break;
                default: same(flat, paged, m -> m.pages() + ":" + m.maximumPages() + ":" + m.initialPages(), what); break;
            }
        }
        same(flat, paged, m -> m.readBytes(0, m.pages() * PAGE), "whole memory, seed " + seed);
        flat.drop(0);
        paged.drop(0);
        same(flat, paged, m -> { m.initPassiveSegment(0, 0, 0, 1); return 0; }, "a dropped segment is empty");
        flat.zero();
        paged.zero();
        same(flat, paged, m -> m.readBytes(0, m.pages() * PAGE), "zeroed, seed " + seed);
    }

    /**
     * zero() skips the fill on a memory nothing has written (Chicory zeroes every memory it has just
     * made): each way of writing must leave the mark that makes it clear the memory.
     */
    @Test
    void zeroClearsAWriteOfEveryKindAndSkipsAFreshMemory() {
        int at = PAGE + 4090; // across a chunk boundary
        List<java.util.function.Consumer<Memory>> writes = List.of(
                m -> m.writeByte(at, (byte) 7), m -> m.writeShort(at, (short) 7), m -> m.writeI32(at, 7),
                m -> m.writeLong(at, 7), m -> m.writeF32(at, 7f), m -> m.writeF64(at, 7.0),
                m -> m.write(at, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}), m -> m.writeString(at, "seven"),
                m -> m.fill((byte) 7, at, at + 9), m -> { m.writeByte(0, (byte) 7); m.copy(at, 0, 9); },
                m -> m.atomicAddInt(at & ~3, 7), m -> m.atomicXchgLong(at & ~7, 7),
                m -> m.grow(1), // then written beyond the old size
                m -> { m.grow(1); m.writeI32(2 * PAGE + 8, 7); });
        for (int k = 0; k < writes.size(); k++) {
            var m = new FlatMemory(new MemoryLimits(2, 4));
            writes.get(k).accept(m);
            m.zero();
            byte[] all = m.readBytes(0, m.pages() * PAGE);
            assertArrayEquals(new byte[all.length], all, "write kind " + k + " was cleared");
        }
        var fresh = new FlatMemory(new MemoryLimits(2, 4));
        fresh.zero();
        assertArrayEquals(new byte[2 * PAGE], fresh.readBytes(0, 2 * PAGE));
        // after a snapshot the marks start over: zero() must clear what the snapshot holds
        var snapped = new FlatMemory(new MemoryLimits(2, 4));
        snapped.writeI32(at, 7);
        snapped.snapshot();
        snapped.zero();
        assertArrayEquals(new byte[2 * PAGE], snapped.readBytes(0, 2 * PAGE));
    }

    @Test
    void aViewIsLiveReadOnlyLittleEndianAndBoundedToItsRange() {
        var m = new FlatMemory(new MemoryLimits(2, 2));
        m.writeLong(PAGE - 4, 0x0807060504030201L); // across what Chicory would keep as two arrays
        var view = m.view(PAGE - 4, 8);
        assertEquals(ByteOrder.LITTLE_ENDIAN, view.order());
        assertEquals(8, view.capacity());
        assertEquals(0x04030201, view.getInt(0));
        assertEquals(0x0807060504030201L, view.getLong(0));
        m.writeByte(PAGE - 4, (byte) 0x7f);
        assertEquals(0x7f, view.get(0), "no copy: the guest's write shows through");
        assertTrue(view.isReadOnly());
        assertFalse(view.hasArray(), "the backing array (the whole memory) is not reachable");
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 1));
        assertThrows(IndexOutOfBoundsException.class, () -> view.get(8));
        assertThrows(IllegalArgumentException.class, () -> view.duplicate().limit(9));
    }

    @Test
    void growingKeepsTheContentsAndStaysWithinTheMaximum() {
        var m = new FlatMemory(new MemoryLimits(1, 40));
        m.writeI32(PAGE - 4, 42);
        for (int i = 1; i < 40; i++) {
            assertEquals(i, m.grow(1));
            assertEquals(42, m.readInt(PAGE - 4));
            int end = m.pages() * PAGE;
            m.writeByte(end - 1, (byte) i);
            assertThrows(WasmRuntimeException.class, () -> m.read(end), "headroom past the size is unreachable");
            assertTrue(m.array().length <= 40 * PAGE, "capacity " + m.array().length);
        }
        assertEquals(-1, m.grow(1));
        assertEquals(-1, m.grow(-1), "a delta is unsigned: 4 GiB of pages");
        assertEquals(40, m.grow(0));
        assertEquals(40 * PAGE, m.array().length);
    }

    @Test
    void sharedMemoriesStayPaged() {
        assertTrue(FlatMemory.create(new MemoryLimits(1, 2, true)) instanceof ByteArrayMemory);
        assertTrue(FlatMemory.create(new MemoryLimits(1, 2)) instanceof FlatMemory);
        assertThrows(IllegalArgumentException.class, () -> new FlatMemory(new MemoryLimits(1, 2, true)));
        assertArrayEquals(new byte[PAGE], Arrays.copyOf(new FlatMemory(new MemoryLimits(1, 1)).readBytes(0, PAGE), PAGE));
    }

    @Test
    void aFirstSnapshotSharesEqualChunksWithItsTemplate() {
        var a = new FlatMemory(new MemoryLimits(2, 4));
        var b = new FlatMemory(new MemoryLimits(2, 4));
        for (var m : List.of(a, b)) {
            m.writeI32(0, 42);            // chunk 0: equal in both
            m.writeI32(70_000, 7);        // chunk 17: equal in both
        }
        b.writeI32(8192, 1);              // chunk 2: only in b
        var template = a.snapshot();
        var image = b.snapshot(template);
        assertSame(template.chunk(0), image.chunk(0));
        assertSame(template.chunk(17), image.chunk(17));
        assertNull(template.chunk(2));
        assertNotNull(image.chunk(2));
        assertNull(image.chunk(5), "all-zero chunks are not stored");
        // sharing does not couple the two memories: each restores its own bytes
        b.writeI32(0, 99);
        b.restore(image);
        assertEquals(42, b.readInt(0));
        assertEquals(1, b.readInt(8192));
        assertEquals(0, a.readInt(8192));
    }
}
