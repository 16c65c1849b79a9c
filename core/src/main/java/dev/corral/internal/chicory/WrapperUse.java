package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Element;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.List;

/**
 * Which of {@link FuelInstrumenter}'s wrappers can ever run. A function with a fuel-passing clone
 * keeps its index as a wrapper for whatever does not call the clone: exports, the start function,
 * tables and {@code ref.func} (so {@code call_indirect} and the host), and direct calls from
 * functions that charge the fuel global themselves. Every other call goes clone to clone, so the
 * wrapper of a function reached only that way is dead code: it gets a one-instruction body
 * ({@code unreachable}) instead of ~90 bytes that Chicory would parse and compile for nothing
 * (in QuickJS, 758 of 1,698 wrappers). Conservative: any reference keeps the wrapper.
 */
final class WrapperUse {
    private WrapperUse() {}

    /**
     * @param chargesGlobal by defined function: whether it charges the fuel global directly (it
     *     then calls wrappers, not clones)
     * @return by defined function: whether its wrapper (if it gets one) can be reached
     */
    static boolean[] reachable(WasmModule m, boolean[] chargesGlobal) {
        int imported = m.importSection().count(ExternalType.FUNCTION);
        int defined = m.functionSection().functionCount();
        boolean[] used = new boolean[defined];
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            Export e = m.exportSection().getExport(i);
            if (e.exportType() == ExternalType.FUNCTION) {
                mark(used, imported, e.index());
            }
        }
        m.startSection().ifPresent(s -> mark(used, imported, s.startIndex()));
        for (Element el : m.elementSection().elements()) {
            for (List<Instruction> init : el.initializers()) {
                refs(used, imported, init);
            }
        }
        for (int g = 0; g < m.globalSection().globalCount(); g++) {
            refs(used, imported, m.globalSection().getGlobal(g).initInstructions());
        }
        for (int t = 0; t < m.tableSection().tableCount(); t++) {
            List<Instruction> init = m.tableSection().getTable(t).initialize();
            if (init != null) {
                refs(used, imported, init);
            }
        }
        for (int f = 0; f < m.codeSection().functionBodyCount(); f++) {
            for (var in : m.codeSection().getFunctionBody(f).instructions()) {
                OpCode op = in.opcode();
                if (op == OpCode.REF_FUNC || (chargesGlobal[f] && (op == OpCode.CALL || op == OpCode.RETURN_CALL))) {
                    mark(used, imported, in.operand(0));
                }
            }
        }
        return used;
    }

    private static void refs(boolean[] used, int imported, List<? extends Instruction> expr) {
        for (Instruction in : expr) {
            if (in.opcode() == OpCode.REF_FUNC) {
                mark(used, imported, in.operand(0));
            }
        }
    }

    private static void mark(boolean[] used, int imported, long function) {
        long f = function - imported;
        if (f >= 0 && f < used.length) {
            used[(int) f] = true;
        }
    }
}
