package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.WasmEncoding;
import dev.corral.ModuleLoadException;
import dev.corral.ModuleLoadException.Reason;
import dev.corral.WasmFeature;
import dev.corral.internal.chicory.WasmReader.Malformed;
import java.util.List;

/**
 * {@link ModuleScanner}'s pass over code: function bodies and constant expressions, one
 * instruction at a time. Immediates are decoded with Chicory's own opcode table, so both read the
 * same instructions; each instruction's proposal is noted (and refused unless enabled), its
 * indices are checked against the module's index spaces, and block nesting is counted.
 */
final class CodeScanner {
    private final ModuleScanner m;
    private final WasmReader in;
    int maxNesting;
    long instructions;

    CodeScanner(ModuleScanner m, WasmReader in) {
        this.m = m;
        this.in = in;
    }

    /** One function body, after its locals. */
    void body(int function, int locals) {
        int depth = 1; // the function's own block
        while (in.pos < in.end) {
            int op = instruction(locals, false);
            instructions++;
            switch (op) {
                case 0x02: // block
                case 0x03: // loop
                case 0x04: // if
                case 0x1F: // try_table
                    if (++depth > m.limits.maxNestingDepth()) {
                        m.limit("nested blocks in function " + function, depth, m.limits.maxNestingDepth(), "maxNestingDepth");
                    }
                    maxNesting = Math.max(maxNesting, depth);
                    break;
                case 0x0B:
                    depth--;
                    break;
                default:
                    break;
            }
        }
    }

    /** A constant expression, up to and including its {@code end}. */
    void constExpr(String what) {
        String outer = m.where;
        m.where = what;
        while (true) {
            if (in.pos >= in.end) {
                throw new Malformed("constant expression without end");
            }
            if (instruction(0, true) == 0x0B) {
                break;
            }
        }
        m.where = outer;
    }

    /**
     * Decodes one instruction as Chicory's parser does, checks its indices and notes the features
     * it uses; returns its opcode (prefixed ones as {@code prefix << 8 | code}).
     */
    private int instruction(int locals, boolean constant) {
        int b = in.u8();
        if (b >= 0xFB && b <= 0xFE) {
            long sub = in.u32();
            if (sub > 0xFF) {
                throw new Malformed("illegal opcode 0x" + Integer.toHexString(b) + " " + sub);
            }
            b = (b << 8) | (int) sub;
        }
        OpCode op = b < 0xFF00 ? OpCode.byOpCode(b) : null;
        if (op == null) {
            throw new Malformed("illegal opcode 0x" + Integer.toHexString(b));
        }
        features(op, b);
        List<WasmEncoding> sig = OpCode.signature(op);
        long[] imm = new long[3];
        int k = 0;
        for (WasmEncoding e : sig) {
            long v;
            switch (e) {
                case BYTE: v = in.u8(); break;
                case VARUINT: v = in.u32(); break;
                case VARSINT32: v = in.s(32); break;
                case VARSINT64: v = in.s(64); break;
                case FLOAT32: in.skip(4); v = 0; break;
                case FLOAT64: in.skip(8); v = 0; break;
                case V128: in.skip(16); v = 0; break;
                case VEC_VARUINT: {
                    int n = m.count("branch targets", Integer.MAX_VALUE, null);
                    for (int j = 0; j < n; j++) {
                        in.u32();
                    }
                    v = n;
                    break;
                }
                case VEC_CATCH: {
                    int n = m.count("catch clauses", Integer.MAX_VALUE, null);
                    for (int j = 0; j < n; j++) {
                        int kind = in.u8();
                        if (kind == 0 || kind == 1) { // catch, catch_ref: a tag, then a label
                            m.checkIndex(in.u32(), m.tags, "tag", "a catch clause");
                        } else if (kind != 2 && kind != 3) {
                            throw new Malformed("unknown catch clause " + kind);
                        }
                        in.u32();
                    }
                    v = n;
                    break;
                }
                case BLOCK_TYPE: {
                    long t = in.u32();
                    if (t == 0x63 || t == 0x64) {
                        m.heapType(in.s(32));
                    } else if (t != 0x40 && !m.isValueType(t)) {
                        m.checkIndex(t, m.types, "type", "a block type");
                    } else if (t == 0x7B) {
                        m.feature(WasmFeature.SIMD, "a v128 block type");
                    }
                    v = t;
                    break;
                }
                case VEC_VALUE_TYPE: {
                    int n = m.count("value m.types", Integer.MAX_VALUE, null);
                    for (int j = 0; j < n; j++) {
                        m.valueType();
                    }
                    v = n;
                    break;
                }
                case MEMARG: {
                    long flags = in.u32();
                    long mem = (flags & 0x40) != 0 ? in.u32() : 0;
                    in.u32(); // offset
                    m.checkIndex(mem, m.memories, "memory", "a memory access");
                    if (mem != 0) {
                        m.feature(WasmFeature.MULTI_MEMORY, "an access to memory " + mem);
                    }
                    v = mem;
                    break;
                }
                default:
                    throw new IllegalStateException("unknown immediate encoding " + e);
            }
            if (k < imm.length) {
                imm[k] = v;
            }
            k++;
        }
        if (!constant || b != 0x0B) {
            checkIndices(op, imm, locals);
        }
        return b;
    }

    private void features(OpCode op, int b) {
        int prefix = b >>> 8;
        if (prefix == 0xFB) {
            m.feature(WasmFeature.GC, op.name().toLowerCase(java.util.Locale.ROOT).replace('_', '.'));
        } else if (prefix == 0xFD) {
            m.feature(WasmFeature.SIMD, "a v128 instruction");
        } else if (prefix == 0xFE) {
            m.feature(WasmFeature.THREADS, "an atomic instruction");
            if (op == OpCode.MEM_ATOMIC_WAIT32 || op == OpCode.MEM_ATOMIC_WAIT64) {
                throw new ModuleLoadException(Reason.UNSUPPORTED, "module '" + m.name + "' uses memory.atomic.wait (" + m.where
                        + "): Corral runs each plugin on one thread, so nothing could ever notify the wait");
            }
        }
        switch (op) {
            case RETURN_CALL:
            case RETURN_CALL_INDIRECT:
            case RETURN_CALL_REF:
                m.feature(WasmFeature.TAIL_CALLS, op.name().toLowerCase(java.util.Locale.ROOT));
                break;
            case THROW:
            case THROW_REF:
            case TRY_TABLE:
                m.feature(WasmFeature.EXCEPTIONS, op.name().toLowerCase(java.util.Locale.ROOT));
                break;
            default:
                break;
        }
    }

    /** Index immediates of instructions Chicory's validator may not check against their index space. */
    private void checkIndices(OpCode op, long[] imm, int locals) {
        switch (op) {
            case CALL:
            case RETURN_CALL:
            case REF_FUNC:
                m.checkIndex(imm[0], m.functions, "function", op.name());
                break;
            case CALL_INDIRECT:
            case RETURN_CALL_INDIRECT:
                m.checkIndex(imm[0], m.types, "type", op.name());
                m.checkIndex(imm[1], m.tables, "table", op.name());
                break;
            case CALL_REF:
            case RETURN_CALL_REF:
                m.checkIndex(imm[0], m.types, "type", op.name());
                break;
            case LOCAL_GET:
            case LOCAL_SET:
            case LOCAL_TEE:
                m.checkIndex(imm[0], locals, "local", op.name());
                break;
            case GLOBAL_GET:
            case GLOBAL_SET:
                m.checkIndex(imm[0], m.globals, "global", op.name());
                break;
            case TABLE_GET:
            case TABLE_SET:
            case TABLE_GROW:
            case TABLE_SIZE:
            case TABLE_FILL:
                m.checkIndex(imm[0], m.tables, "table", op.name());
                break;
            case TABLE_COPY:
                m.checkIndex(imm[0], m.tables, "table", op.name());
                m.checkIndex(imm[1], m.tables, "table", op.name());
                break;
            case TABLE_INIT:
                m.checkIndex(imm[0], m.elementSegments, "element segment", op.name());
                m.checkIndex(imm[1], m.tables, "table", op.name());
                break;
            case ELEM_DROP:
                m.checkIndex(imm[0], m.elementSegments, "element segment", op.name());
                break;
            case MEMORY_SIZE:
            case MEMORY_GROW:
            case MEMORY_FILL:
                memoryIndex(imm[0], op);
                break;
            case MEMORY_COPY:
                memoryIndex(imm[0], op);
                memoryIndex(imm[1], op);
                break;
            case MEMORY_INIT:
                if (m.dataSegments >= 0) {
                    m.checkIndex(imm[0], m.dataSegments, "data segment", op.name());
                }
                memoryIndex(imm[1], op);
                break;
            case DATA_DROP:
                if (m.dataSegments >= 0) {
                    m.checkIndex(imm[0], m.dataSegments, "data segment", op.name());
                }
                break;
            case THROW:
                m.checkIndex(imm[0], m.tags, "tag", op.name());
                break;
            default:
                break;
        }
    }

    private void memoryIndex(long idx, OpCode op) {
        m.checkIndex(idx, m.memories, "memory", op.name());
        if (idx != 0) {
            m.feature(WasmFeature.MULTI_MEMORY, op.name().toLowerCase(java.util.Locale.ROOT) + " of memory " + idx);
        }
    }
}
