package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * Whether a function can call the host: whether any function it can reach through direct calls
 * is an import, or makes an indirect call (which might reach one). A metered timed call of an
 * export that cannot is stopped at its deadline by its fuel, with no interrupt, and so pays no
 * CAS to disarm (see dev.corral.internal.Deadline); one that can keeps the interrupt, because a
 * host function may block where fuel cannot stop it.
 *
 * <p>Decided per export, ahead of the call, rather than at a call's first host call: a check on
 * every host call of a metered plugin cost ~1 ns of a ~3.3 ns host call under fuel (two dependent
 * loads after Chicory's volatile interrupt check), and a call that does reach the host would pay
 * a second CAS to switch modes (benchmarks/README.md, "Sandbox cost per call", third pass).
 */
final class HostReach {
    private HostReach() {}

    /**
     * True unless {@code function} provably cannot reach an import. Conservative: an indirect call
     * anywhere on the way, or a body the parser did not keep (a compile-cache hit may skip them),
     * counts as reaching the host.
     */
    static boolean canCallHost(WasmModule m, int function) {
        int imported = m.importSection().count(ExternalType.FUNCTION);
        if (imported == 0) {
            return false; // nothing to reach, directly or through a table
        }
        int defined = m.codeSection().functionBodyCount();
        var seen = new BitSet();
        var todo = new ArrayDeque<Integer>();
        todo.add(function);
        seen.set(function);
        while (!todo.isEmpty()) {
            int f = todo.poll();
            if (f < imported) {
                return true;
            }
            if (f - imported >= defined) {
                return true; // not a function we know
            }
            var body = m.codeSection().getFunctionBody(f - imported);
            var ins = body == null ? null : body.instructions();
            if (ins == null || ins.isEmpty()) {
                return true; // body not parsed
            }
            for (var in : ins) {
                OpCode op = in.opcode();
                if (op == OpCode.CALL || op == OpCode.RETURN_CALL) {
                    int callee = (int) in.operand(0);
                    if (!seen.get(callee)) {
                        seen.set(callee);
                        todo.add(callee);
                    }
                } else if (op == OpCode.CALL_INDIRECT || op == OpCode.RETURN_CALL_INDIRECT
                        || op == OpCode.CALL_REF || op == OpCode.RETURN_CALL_REF) {
                    return true;
                }
            }
        }
        return false;
    }
}
