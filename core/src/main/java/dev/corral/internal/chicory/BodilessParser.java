package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.CodeSection;
import com.dylibso.chicory.wasm.types.CustomSection;
import com.dylibso.chicory.wasm.types.DataCountSection;
import com.dylibso.chicory.wasm.types.DataSection;
import com.dylibso.chicory.wasm.types.ElementSection;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionSection;
import com.dylibso.chicory.wasm.types.GlobalSection;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.MemorySection;
import com.dylibso.chicory.wasm.types.Section;
import com.dylibso.chicory.wasm.types.SectionId;
import com.dylibso.chicory.wasm.types.StartSection;
import com.dylibso.chicory.wasm.types.TableSection;
import com.dylibso.chicory.wasm.types.TagSection;
import com.dylibso.chicory.wasm.types.TypeSection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Set;

/**
 * Parses a module the compile cache already has bytecode for, without decoding the function
 * bodies that bytecode replaces. Chicory's parser decodes every instruction of every body into
 * objects (most of a warm load of a large module: ~0.6 s of a 3.7 MB Go module with a warm JIT,
 * 1.5-2 s cold), yet a compiled machine loaded from the cache never reads them: only the functions
 * that run in Chicory's interpreter need their bodies.
 *
 * <p>Every section but the code section is decoded by Chicory as usual; the code section is
 * decoded from a copy in which each body not in {@code keep} is {@code unreachable end} (so the
 * module keeps its shape: one body per function, which the instance and the interpreter's
 * imported-or-not test need). The digest is given by the caller, that of the real bytes: it is the
 * key the compiled classes are cached under. Nothing is validated: only bytes that validated
 * before (a cache entry proves it) may come here.
 */
final class BodilessParser {
    /** A body with no locals that traps if it ever ran: {@code unreachable end}. */
    private static final byte[] STUB = {3, 0, 0, 0x0B};
    private static final byte[] HEADER = {0, 'a', 's', 'm', 1, 0, 0, 0};

    private BodilessParser() {}

    /**
     * @param keep indices (in the function index space, imports first) of the functions whose
     *     bodies are decoded
     * @param digest Chicory's digest of {@code wasm} ({@link ChicoryModuleLoader#digest})
     */
    static WasmModule parse(byte[] wasm, Set<Integer> keep, String digest) {
        return parse(wasm, keep, digest, false);
    }

    /**
     * The module's interface only: types, imports, functions' types, tables, memories, globals,
     * exports, start, tags and custom sections (the name section names functions in traps), with
     * stub bodies and no data or elements. Enough to describe a module ({@code ChicoryModule.Shape}),
     * never to run it.
     */
    static WasmModule parseInterface(byte[] wasm, String digest) {
        return parse(wasm, Set.of(), digest, true);
    }

    private static WasmModule parse(byte[] wasm, Set<Integer> keep, String digest, boolean interfaceOnly) {
        var module = WasmModule.builder().withValidation(false).withDigest(digest);
        var sections = Parser.builder().withValidation(false).withCustomParsers(Map.of("name", NameSection::parse));
        for (int id = 0; id <= SectionId.TAG; id++) {
            boolean content = id == SectionId.ELEMENT || id == SectionId.DATA || id == SectionId.DATA_COUNT;
            if (id != SectionId.CODE && !(interfaceOnly && content)) {
                sections.includeSectionId(id);
            }
        }
        int[] importedFunctions = {0};
        sections.build().parse(new ByteArrayInputStream(wasm), s -> {
            if (s instanceof ImportSection) {
                importedFunctions[0] = ((ImportSection) s).count(ExternalType.FUNCTION);
            }
            add(module, s);
        });
        int[] code = codeSection(wasm);
        if (code != null) {
            byte[] stubbed = stubbed(wasm, code[0], code[1], typeSectionStart(wasm), keep,
                    importedFunctions[0]);
            Parser.builder().withValidation(false).build().parse(new ByteArrayInputStream(stubbed), s -> {
                if (s instanceof CodeSection) {
                    module.setCodeSection((CodeSection) s);
                }
            });
        }
        return module.build();
    }

    /** What Chicory's own parser does with each decoded section. */
    private static void add(WasmModule.Builder module, Section s) {
        switch (s.sectionId()) {
            case SectionId.CUSTOM: module.addCustomSection(((CustomSection) s).name(), (CustomSection) s); break;
            case SectionId.TYPE: module.setTypeSection((TypeSection) s); break;
            case SectionId.IMPORT: module.setImportSection((ImportSection) s); break;
            case SectionId.FUNCTION: module.setFunctionSection((FunctionSection) s); break;
            case SectionId.TABLE: module.setTableSection((TableSection) s); break;
            case SectionId.MEMORY: module.setMemorySection((MemorySection) s); break;
            case SectionId.GLOBAL: module.setGlobalSection((GlobalSection) s); break;
            case SectionId.EXPORT: module.setExportSection((ExportSection) s); break;
            case SectionId.START: module.setStartSection((StartSection) s); break;
            case SectionId.ELEMENT: module.setElementSection((ElementSection) s); break;
            case SectionId.DATA: module.setDataSection((DataSection) s); break;
            case SectionId.DATA_COUNT: module.setDataCountSection((DataCountSection) s); break;
            case SectionId.TAG: module.setTagSection((TagSection) s); break;
            default: module.addIgnoredSection(s.sectionId()); break;
        }
    }

    /**
     * A module of the type section (local types may name types) and the code section, each body
     * not kept replaced by {@link #STUB}.
     */
    private static byte[] stubbed(byte[] wasm, int codeStart, int codeEnd, int typeStart, Set<Integer> keep, int imports) {
        var in = new Reader(wasm, codeStart);
        int count = in.u32();
        var body = new ByteArrayOutputStream();
        writeU32(body, count);
        for (int i = 0; i < count; i++) {
            int at = in.pos;
            int size = in.u32();
            int end = in.pos + size;
            if (keep.contains(imports + i)) {
                body.write(wasm, at, end - at);
            } else {
                body.write(STUB, 0, STUB.length);
            }
            in.pos = end;
        }
        if (in.pos != codeEnd) {
            throw new IllegalStateException("code section size mismatch");
        }
        var out = new ByteArrayOutputStream(body.size() + 64);
        out.write(HEADER, 0, HEADER.length);
        if (typeStart >= 0) {
            var t = new Reader(wasm, typeStart + 1);
            int size = t.u32();
            out.write(wasm, typeStart, t.pos + size - typeStart);
        }
        out.write(SectionId.CODE);
        writeU32(out, body.size());
        out.write(body.toByteArray(), 0, body.size());
        return out.toByteArray();
    }

    /** The code section's payload as {start, end}, or null when the module has none. */
    private static int[] codeSection(byte[] wasm) {
        var in = new Reader(wasm, HEADER.length);
        while (in.pos < wasm.length) {
            int id = wasm[in.pos++] & 0xFF;
            int size = in.u32();
            if (id == SectionId.CODE) {
                return new int[] {in.pos, in.pos + size};
            }
            in.pos += size;
        }
        return null;
    }

    /** Where the type section's id byte is. */
    private static int typeSectionStart(byte[] wasm) {
        var in = new Reader(wasm, HEADER.length);
        while (in.pos < wasm.length) {
            int at = in.pos;
            int id = wasm[in.pos++] & 0xFF;
            int size = in.u32();
            if (id == SectionId.TYPE) {
                return at;
            }
            in.pos += size;
        }
        return -1;
    }

    private static void writeU32(ByteArrayOutputStream out, int value) {
        long v = value & 0xFFFFFFFFL;
        do {
            int b = (int) (v & 0x7F);
            v >>>= 7;
            out.write(v != 0 ? b | 0x80 : b);
        } while (v != 0);
    }

    /** LEB128 over bytes that parsed before. */
    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(byte[] b, int pos) {
            this.b = b;
            this.pos = pos;
        }

        int u32() {
            long result = 0;
            int shift = 0;
            while (true) {
                int x = b[pos++] & 0xFF;
                result |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return (int) result;
                }
                shift += 7;
                if (shift > 28) {
                    throw new IllegalStateException("bad LEB128 at " + pos);
                }
            }
        }
    }
}
