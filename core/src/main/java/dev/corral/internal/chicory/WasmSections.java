package dev.corral.internal.chicory;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Section-level surgery on a wasm binary: replace sections' contents, add missing ones in order. */
final class WasmSections {
    private WasmSections() {}

    /** New content for a section, or the same array to keep it. */
    @FunctionalInterface
    interface Rewriter {
        byte[] content(int id, byte[] content);
    }

    /** Section order of the binary format (tag = 13 sits between memory and global, data count before code). */
    static int rank(int id) {
        switch (id) {
            case 13: return 55;
            case 12: return 95;
            default: return id == 0 ? -1 : id * 10;
        }
    }

    /**
     * The module with every non-custom section passed through {@code rewriter}, and the sections
     * of {@code missing} (id to content) added where the module has none of that id.
     */
    static byte[] rewrite(byte[] wasm, Rewriter rewriter, Map<Integer, byte[]> missing) {
        var out = new ByteArrayOutputStream(wasm.length + wasm.length / 8 + 256);
        out.write(wasm, 0, 8);
        TreeMap<Integer, byte[]> toAdd = new TreeMap<>();
        for (var e : missing.entrySet()) {
            toAdd.put(rank(e.getKey()), e.getValue());
        }
        Map<Integer, Integer> idOfRank = new TreeMap<>();
        for (int id : missing.keySet()) {
            idOfRank.put(rank(id), id);
        }
        int[] pos = {8};
        while (pos[0] < wasm.length) {
            int id = wasm[pos[0]++] & 0xFF;
            int size = (int) Leb128.readU32(wasm, pos);
            int start = pos[0];
            int end = start + size;
            if (end > wasm.length || end < start) {
                throw new IllegalArgumentException("section " + id + " runs past the end of the module");
            }
            if (id != 0) {
                while (!toAdd.isEmpty() && toAdd.firstKey() < rank(id)) {
                    var first = toAdd.pollFirstEntry();
                    section(out, idOfRank.get(first.getKey()), first.getValue());
                }
                toAdd.remove(rank(id)); // present: not missing
                byte[] content = Arrays.copyOfRange(wasm, start, end);
                byte[] replaced = rewriter.content(id, content);
                section(out, id, replaced);
            } else {
                out.write(id);
                Leb128.writeU32(out, size);
                out.write(wasm, start, size);
            }
            pos[0] = end;
        }
        for (var e : toAdd.entrySet()) {
            section(out, idOfRank.get(e.getKey()), e.getValue());
        }
        return out.toByteArray();
    }

    static void section(ByteArrayOutputStream out, int id, byte[] content) {
        out.write(id);
        Leb128.writeU32(out, content.length);
        out.writeBytes(content);
    }

    /** A vector's content with {@code entries} appended; {@code content} null is the empty vector. */
    static byte[] appendToVector(byte[] content, List<byte[]> entries) {
        if (entries.isEmpty() && content != null) {
            return content;
        }
        long count = 0;
        int[] pos = {0};
        if (content != null) {
            count = Leb128.readU32(content, pos);
        }
        var out = new ByteArrayOutputStream((content == null ? 0 : content.length) + entries.size() * 8 + 5);
        Leb128.writeU32(out, count + entries.size());
        if (content != null) {
            out.write(content, pos[0], content.length - pos[0]);
        }
        for (byte[] e : entries) {
            out.writeBytes(e);
        }
        return out.toByteArray();
    }

    static byte[] u32(long v) {
        var out = new ByteArrayOutputStream(5);
        Leb128.writeU32(out, v);
        return out.toByteArray();
    }
}
