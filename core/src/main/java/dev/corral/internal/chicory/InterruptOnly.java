package dev.corral.internal.chicory;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Which functions' calls can only be stopped by an interrupt: those that can end up calling the
 * host (an imported function), where a blocked host function notices only an interrupt, and those
 * that can recurse, since runaway recursion has no loop and Chicory checks it before each call,
 * where Corral keeps Chicory's interrupt check (a stop word read at every call cost fib(20) a
 * fifth of its speed). A call of any other function runs generated code that checks the stop word
 * at every backward branch ({@link StopChecks}). Computed once when the classes are compiled, and
 * stored with them.
 *
 * <p>Indirect calls ({@code call_indirect}, {@code call_ref} and their tail forms) are taken to
 * reach every function a table or a reference can hold: every function named in an element
 * segment or by {@code ref.func}. When an import can be among those, or a table or a reference
 * can come from outside (an imported or exported table, a global in an element, a function type
 * with a reference among its parameters or results), every indirect call counts as reaching the
 * host.
 */
final class InterruptOnly {
    private InterruptOnly() {}

    /** Those functions, by function index (imports included, which are the host). */
    static BitSet of(WasmModule m) {
        int imported = m.importSection().count(ExternalType.FUNCTION);
        int defined = m.codeSection().functionBodyCount();
        int n = imported + defined;
        int indirect = n; // a node standing for "an indirect call": its callees are the referenced functions
        List<List<Integer>> callers = new ArrayList<>(n + 1);
        for (int i = 0; i <= n; i++) {
            callers.add(new ArrayList<>(0));
        }
        BitSet referenced = new BitSet(n);
        boolean open = m.importSection().count(ExternalType.TABLE) > 0;
        for (int i = 0; i < m.exportSection().exportCount(); i++) {
            if (m.exportSection().getExport(i).exportType() == ExternalType.TABLE) {
                open = true;
            }
        }
        // a reference can also come in as an argument or a host function's result
        for (int t = 0; t < m.typeSection().typeCount(); t++) {
            var type = m.typeSection().getType(t);
            if (type == null) { // a GC struct or array type, whose fields may hold references
                open = true;
                continue;
            }
            for (var v : type.params()) {
                open |= v.isReference();
            }
            for (var v : type.returns()) {
                open |= v.isReference();
            }
        }
        for (var e : m.elementSection().elements()) {
            for (var init : e.initializers()) {
                open |= references(init, referenced);
            }
        }
        for (int g = 0; g < m.globalSection().globalCount(); g++) {
            var global = m.globalSection().getGlobal(g);
            boolean ref = references(global.initInstructions(), referenced);
            open |= ref && global.valueType().isReference(); // a number read from an import is no function
        }
        for (int f = 0; f < defined; f++) {
            int caller = imported + f;
            for (var in : m.codeSection().getFunctionBody(f).instructions()) {
                OpCode op = in.opcode();
                if (op == OpCode.CALL || op == OpCode.RETURN_CALL) {
                    int callee = (int) in.operand(0);
                    if (callee >= 0 && callee < n) {
                        callers.get(callee).add(caller);
                    }
                } else if (op == OpCode.CALL_INDIRECT || op == OpCode.RETURN_CALL_INDIRECT || op == OpCode.CALL_REF
                        || op == OpCode.RETURN_CALL_REF) {
                    callers.get(indirect).add(caller);
                } else if (op == OpCode.REF_FUNC) {
                    referenced.set((int) in.operand(0));
                }
            }
        }
        for (int f = referenced.nextSetBit(0); f >= 0 && f < n; f = referenced.nextSetBit(f + 1)) {
            callers.get(f).add(indirect);
        }
        BitSet reach = new BitSet(n + 1);
        var work = new ArrayDeque<Integer>();
        for (int f = 0; f < imported; f++) {
            reach.set(f);
            work.add(f);
        }
        if (open) {
            reach.set(indirect);
            work.add(indirect);
        }
        // and whatever can reach a cycle: peel off, from the leaves up, every function all of
        // whose callees are peeled; what stays can reach a cycle (Kahn's algorithm on the callees)
        int[] callees = new int[n + 1];
        for (var list : callers) {
            for (int caller : list) {
                callees[caller]++;
            }
        }
        var leaves = new ArrayDeque<Integer>();
        for (int f = 0; f <= n; f++) {
            if (callees[f] == 0) {
                leaves.add(f);
            }
        }
        BitSet peeled = new BitSet(n + 1);
        while (!leaves.isEmpty()) {
            int f = leaves.poll();
            peeled.set(f);
            for (int caller : callers.get(f)) {
                if (--callees[caller] == 0) {
                    leaves.add(caller);
                }
            }
        }
        for (int f = peeled.nextClearBit(0); f <= n; f = peeled.nextClearBit(f + 1)) {
            if (!reach.get(f)) {
                reach.set(f);
                work.add(f);
            }
        }
        while (!work.isEmpty()) {
            for (int caller : callers.get(work.poll())) {
                if (!reach.get(caller)) {
                    reach.set(caller);
                    work.add(caller);
                }
            }
        }
        reach.clear(indirect);
        return reach;
    }

    /** Adds the functions an initializer names; true when it reads a global (which may come from outside). */
    private static boolean references(List<? extends Instruction> expr, BitSet referenced) {
        boolean open = false;
        for (var in : expr) {
            if (in.opcode() == OpCode.REF_FUNC) {
                referenced.set((int) in.operand(0));
            } else if (in.opcode() == OpCode.GLOBAL_GET) {
                open = true;
            }
        }
        return open;
    }
}
