package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.GlobalImport;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.TableImport;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.List;

/**
 * Module-level types for {@link SplitShape}: functions, globals, tables and the type section, as
 * the one-byte value type codes of the binary format ({@link SplitShape#UNKNOWN} for anything the
 * splitter does not move: v128, typed and GC references).
 */
final class SplitContext {
    private final WasmModule module;
    final int importedFunctions;
    final int importedGlobals;
    private final List<byte[][]> functionSignatures = new ArrayList<>();
    private final List<Byte> globalTypes = new ArrayList<>();
    private final List<Byte> tableTypes = new ArrayList<>();

    SplitContext(WasmModule module) {
        this.module = module;
        int funcs = 0;
        int globals = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            Import im = module.importSection().getImport(i);
            if (im instanceof FunctionImport) {
                functionSignatures.add(signature(module.typeSection().getType(((FunctionImport) im).typeIndex())));
                funcs++;
            } else if (im instanceof GlobalImport) {
                globalTypes.add(valueType(((GlobalImport) im).type()));
                globals++;
            } else if (im instanceof TableImport) {
                tableTypes.add(valueType(((TableImport) im).entryType()));
            }
        }
        this.importedFunctions = funcs;
        this.importedGlobals = globals;
        for (int i = 0; i < module.functionSection().functionCount(); i++) {
            functionSignatures.add(signature(module.functionSection().getFunctionType(i, module.typeSection())));
        }
        for (int i = 0; i < module.globalSection().globalCount(); i++) {
            globalTypes.add(valueType(module.globalSection().getGlobal(i).valueType()));
        }
        for (int i = 0; i < module.tableSection().tableCount(); i++) {
            tableTypes.add(valueType(module.tableSection().getTable(i).elementType()));
        }
    }

    int functionCount() {
        return functionSignatures.size();
    }

    int globalCount() {
        return globalTypes.size();
    }

    /** {params, results} of function {@code index} (imports first). */
    byte[][] functionSignature(int index) {
        byte[][] s = functionSignatures.get(index);
        check(s);
        return s;
    }

    /** {params, results} of type {@code index} of the type section. */
    byte[][] typeSignature(int index) {
        byte[][] s = signature(module.typeSection().getType(index));
        check(s);
        return s;
    }

    byte globalType(int index) {
        return known(globalTypes.get(index));
    }

    byte tableType(int index) {
        return known(tableTypes.get(index));
    }

    /** Reads a block type at {@code pos}: {params, results}. */
    byte[][] blockType(byte[] wasm, int pos) {
        int b = wasm[pos] & 0xFF;
        if (b == 0x40) {
            return new byte[][] {new byte[0], new byte[0]};
        }
        if (isSimple(b)) {
            return new byte[][] {new byte[0], new byte[] {(byte) b}};
        }
        if (b == 0x63 || b == 0x64) {
            throw unsupported("a block of reference type");
        }
        long index = Leb128.readS33(wasm, new int[] {pos});
        return typeSignature((int) index);
    }

    static boolean isSimple(int b) {
        switch (b) {
            case 0x7F: case 0x7E: case 0x7D: case 0x7C: case 0x70: case 0x6F:
                return true;
            default:
                return false;
        }
    }

    byte valueType(ValType t) {
        if (t.equals(ValType.I32)) {
            return SplitShape.I32;
        } else if (t.equals(ValType.I64)) {
            return SplitShape.I64;
        } else if (t.equals(ValType.F32)) {
            return SplitShape.F32;
        } else if (t.equals(ValType.F64)) {
            return SplitShape.F64;
        } else if (t.equals(ValType.FuncRef)) {
            return SplitShape.FUNCREF;
        } else if (t.equals(ValType.ExternRef)) {
            return SplitShape.EXTERNREF;
        }
        return SplitShape.UNKNOWN;
    }

    private byte[][] signature(FunctionType type) {
        if (type == null) {
            return null;
        }
        return new byte[][] {types(type.params()), types(type.returns())};
    }

    private byte[] types(List<ValType> list) {
        byte[] out = new byte[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = valueType(list.get(i));
        }
        return out;
    }

    private static void check(byte[][] sig) {
        if (sig == null) {
            throw unsupported("a type that is not a function type");
        }
        for (byte[] part : sig) {
            for (byte t : part) {
                known(t);
            }
        }
    }

    private static byte known(byte t) {
        if (t == SplitShape.UNKNOWN) {
            throw unsupported("a value type the splitter does not handle");
        }
        return t;
    }

    static IllegalArgumentException unsupported(String what) {
        return new UnsupportedShape(what);
    }

    /** A body the splitter cannot type: it is left whole. */
    static final class UnsupportedShape extends IllegalArgumentException {
        UnsupportedShape(String message) {
            super(message, null);
        }
    }
}
