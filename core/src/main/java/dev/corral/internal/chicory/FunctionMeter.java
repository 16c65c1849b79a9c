package dev.corral.internal.chicory;

import static dev.corral.internal.chicory.FuelCode.*;
import static dev.corral.internal.chicory.FuelFlow.*;
import static dev.corral.internal.chicory.FuelInstrumenter.*;

import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

/**
 * Meters one function body. Where it can, the function keeps its fuel in a local of its own
 * (a JVM local once compiled, so charging a loop iteration costs a subtract and a test): the
 * fuel parameter of a clone, or an added local. Around calls that are not clone to clone the
 * global is the truth: the added local is loaded from it at entry, written back
 * before a call, return, tail call, throw, trap or branch out of the function when it holds
 * charges the global lacks, and loaded again after a call, lazily, at the next block boundary
 * (so consecutive calls cost one write, not a write and a read each). A trap that is not a
 * fuel trap therefore leaves the global short of what the trapping frame charged since its
 * last call.
 *
 * <p>Functions containing {@code try_table} charge the global directly, because a caught
 * exception lands on a label after a callee has spent fuel the local would not see; so do
 * functions with tail calls (see {@link FuelFlow#needsGlobalCharging}).
 */
final class FunctionMeter {
    private final List<AnnotatedInstruction> ins;
    private final int f;
    private final Fuel fuel;
    private final int fuelLocal; // -1: charge the global directly
    private final int tmpLocal; // i64 scratch for unpacking a callee's packed result, or -1
    private final int depthLocal; // the frames left below this one (see CallDepth)
    private final int frameCost; // what this function's frame counts against the depth
    private final Edits edits;
    private final Map<Helper, Integer> helperIndex;
    private final byte[] flush;
    private final byte[] reload;
    /** The body becomes a fuel-passing clone: fuel comes in as a parameter and goes out as a result. */
    private final boolean passing;
    private final int[] clone;
    private final Ret[] rets;
    private final int importedFunctions;
    private final Entries entries;
    /** The module's bytes, when simple loops are unrolled (compiled variant only), else null. */
    private byte[] wasm;
    /** Whether loops around host calls charge the fuel global (see {@link #hostCallLoopEnd}). */
    private boolean hostCallLoops = true;
    /** Outputs: the cost of the entry block (its own instructions), and whether it calls a clone. */
    long entryCost;
    boolean entryCallsClone;

    FunctionMeter(FunctionBody body, int f, Fuel fuel, int fuelLocal, int tmpLocal, int depthLocal, int frameCost, Ret ownRet,
            int[] clone, Ret[] rets, int importedFunctions, Edits edits, Map<Helper, Integer> helperIndex, Entries entries) {
        this.depthLocal = depthLocal;
        this.frameCost = frameCost;
        this.entries = entries;
        this.passing = ownRet != null;
        this.clone = clone;
        this.rets = rets;
        this.importedFunctions = importedFunctions;
        this.ins = body.instructions();
        this.f = f;
        this.fuel = fuel;
        this.fuelLocal = fuelLocal;
        this.tmpLocal = tmpLocal;
        this.edits = edits;
        this.helperIndex = helperIndex;
        this.flush = fuelLocal >= 0 ? fuel.flush(fuelLocal) : new byte[0];
        this.reload = fuelLocal >= 0 ? fuel.reload(fuelLocal) : new byte[0];
    }

    void run() {
        int n = ins.size();
        boolean local = fuelLocal >= 0;
        if (local && !passing) {
            CodeRewriter.insert(edits.charges, ins.get(0).address(), reload);
        }
        // after the entry charge (charges come first at an address): one frame more, or the limit
        CodeRewriter.insert(edits.others, ins.get(0).address(),
                CallDepth.enter(fuel.depth(), depthLocal, frameCost, passing, local ? flush : new byte[0]));
        int segmentStart = 0;
        int pendingLoop = -1; // an unrolled loop waiting for the cost of the segment after it
        int pendingEnd = -1;
        long cost = 1; // the function's closing `end`
        boolean live = true; // the function entry is always entered
        boolean stale = false; // a callee has spent fuel since the local was loaded
        int hostLoopBrIf = -1; // the closing br_if of the host-call loop being metered, or -1
        // open blocks, innermost first: {opcode ordinal, 1 if a branch targets its end}; a branch
        // to label blocks.size() leaves the function
        java.util.ArrayDeque<int[]> blocks = new java.util.ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            AnnotatedInstruction in = ins.get(i);
            OpCode op = in.opcode();
            if (in.address() < 0) {
                throw new IllegalStateException("instruction without address in function " + f);
            }
            // the closing `end` is paid with the entry block (once per call), so a block made
            // only of it (after an if/else, say) needs no charge of its own
            cost += i == n - 1 ? 0 : 1 + staticExtra(in);
            Helper h = helperOf(op);
            if (CallDepth.leavesTheClones(op) && !(local && op == OpCode.CALL && calleeClone(in) >= 0)) {
                // the callee (a wrapper, an import, anything through a table) reads the depth from the global
                CodeRewriter.insert(edits.others, in.address(), CallDepth.store(fuel.depth(), depthLocal));
            }
            if (h != null) {
                byte[] call = concat(new byte[] {0x10}, u32(helperIndex.get(h)));
                CodeRewriter.insert(edits.others, in.address(), local && !stale ? concat(flush, call) : call);
                stale = local;
            } else if (local && op == OpCode.CALL && calleeClone(in) >= 0) {
                // fuel travels as an argument and a result: no global access. (A function that
                // charges the global directly calls the wrapper, which syncs with the global.)
                byte[] call = concat(new byte[] {0x10}, u32(calleeClone(in)));
                int callee = (int) (in.operand(0) - importedFunctions);
                if (segmentStart == 0) {
                    entryCallsClone = true;
                }
                if (entries.hoisted[callee]) {
                    cost += entries.cost[callee]; // the callee's entry block, paid with this one
                }
                byte[] args = concat(concat(new byte[] {0x20}, u32(fuelLocal)), concat(new byte[] {0x20}, u32(depthLocal)));
                byte[] pass = concat(concat(args, call), rets[(int) (in.operand(0) - importedFunctions)].unpack(fuelLocal, tmpLocal));
                edits.replace(in, ins.get(i + 1), stale ? concat(reload, pass) : pass);
                stale = false;
            } else if (local && isCall(op)) {
                if (!stale) {
                    CodeRewriter.insert(edits.others, in.address(), flush);
                }
                stale = true;
            } else if (passing && isLocalAccess(op) && in.operand(0) >= fuelLocal) {
                // the fuel and depth parameters sit between the parameters and the declared locals
                edits.replace(in, ins.get(i + 1), concat(new byte[] {(byte) op.opcode()}, u32(in.operand(0) + 2)));
            }
            Boundary b = boundaryOf(in);
            int depth = blocks.size();
            markTargets(in, blocks);
            switch (op) {
                case BLOCK:
                case LOOP:
                case IF:
                case TRY_TABLE:
                    blocks.push(new int[] {op.ordinal(), 0});
                    break;
                case END:
                    if (i < n - 1) {
                        int[] closed = blocks.pop();
                        // after a loop, or a block no branch targets, only fall-through arrives:
                        // the segment goes on (and pays once)
                        if (closed[0] != OpCode.IF.ordinal() && (closed[0] == OpCode.LOOP.ordinal() || closed[1] == 0)) {
                            b = Boundary.NONE;
                        }
                    }
                    break;
                default:
                    break;
            }
            int hostLoop;
            if (op == OpCode.LOOP && local && hostCallLoops && (hostLoop = hostCallLoopEnd(i)) > 0) {
                // the loop runs on the fuel global: it is the truth on entry (flushed) and stays so
                if (!stale) {
                    CodeRewriter.insert(edits.others, in.address(), flush);
                }
                stale = true;
                hostLoopBrIf = hostLoop;
            } else if (i == hostLoopBrIf) {
                // the back-edge keeps the global the truth; the fall-through reloads the local
                // before the charge of the segment after the loop (charges come first at an address)
                CodeRewriter.insert(edits.charges, ins.get(i + 1).address(), reload);
                stale = false;
            } else if (passing && b != Boundary.NONE && !escapes(op)) {
                // every exit returns the fuel parameter, and every label needs it current
                if (stale) {
                    CodeRewriter.insert(edits.others, in.address(), reload);
                }
                if (op == OpCode.RETURN) {
                    // to the block wrapping the body, after which the results and fuel are packed
                    edits.replace(in, ins.get(i + 1), concat(new byte[] {0x0C}, u32(depth)));
                }
                stale = false;
            } else if (local && b != Boundary.NONE) {
                Exit exit = exitOf(in, depth, i == n - 1);
                if (stale && exit != Exit.ALWAYS) {
                    CodeRewriter.insert(edits.others, in.address(), reload); // now local == global
                } else if (!stale && exit != Exit.NEVER) {
                    CodeRewriter.insert(edits.others, in.address(), flush);
                }
                stale = false;
            }
            if (b == Boundary.NONE) {
                continue;
            }
            if (segmentStart == 0) {
                entryCost = cost;
            }
            if (pendingLoop >= 0 && segmentStart == pendingEnd + 1) {
                // the segment after an unrolled loop is paid at the loop's exits
                AnnotatedInstruction loopIns = ins.get(pendingLoop);
                edits.replace(loopIns, ins.get(pendingEnd + 1), unrolled(pendingLoop, pendingEnd, cost));
                pendingLoop = -1;
            } else if (live && cost > 0 && !(segmentStart == 0 && entries.hoisted[f])) {
                boolean onGlobal = !local || i == hostLoopBrIf; // a host-call loop's body charges the global
                CodeRewriter.insert(edits.charges, ins.get(segmentStart).address(),
                        onGlobal ? charge(fuel.global(), cost) : chargeLocal(fuelLocal, fuel.refill(), cost));
            }
            switch (b) {
                case JOIN:
                    live = true;
                    break;
                case FALLTHROUGH:
                    break; // the next segment is entered only if this one was
                case NEVER_FALLS_THROUGH:
                    live = false;
                    break;
                default:
                    throw new AssertionError(b);
            }
            segmentStart = i + 1;
            cost = 0;
            int end;
            if (op == OpCode.LOOP && wasm != null && local && (end = simpleLoopEnd(i)) > 0) {
                // the whole loop becomes one replacement, written when the segment after it
                // (its `end` and on, as the fall-through after its br_if was) is known
                blocks.pop();
                pendingLoop = i;
                pendingEnd = end;
                segmentStart = end + 1;
                cost = 1;
                i = end;
            }
        }
        if (segmentStart < n) {
            // the parser guarantees a body ends with `end`, which closes every segment
            throw new IllegalStateException("function " + f + " does not end with 'end'");
        }
    }

    void unrollSimpleLoops(byte[] wasm) {
        this.wasm = wasm;
    }

    /** Test hook: meter loops around host calls like any other (the format before host-call loops). */
    void hostCallLoops(boolean on) {
        this.hostCallLoops = on;
    }

    /**
     * The index of the closing {@code br_if 0} of the loop at {@code i} if it is a host-call loop:
     * a straight-line body (no block, branch or other control) closed by {@code br_if 0} right
     * before the loop's {@code end}, that calls something other than a clone (an import, through
     * a table or a reference) and no clone. Else -1.
     *
     * <p>Such a loop charges the fuel global directly instead of the local: on entry the local is
     * flushed, its body's charge is {@code fuel -= cost; if (fuel < 0) trap} at the loop head, its
     * calls need no flush before them and no reload after, and the fall-through after the loop
     * reloads the local. Every iteration therefore makes its global accesses in one place, with
     * no call or volatile read between them (the charge, the depth store), where the local form
     * makes them on both sides of the call (the flush before, the reload after), and Chicory's
     * compiled code walks instance, globals array and global again after every call and interrupt
     * check. Counts do not change: the head's charge traps exactly when the local's charge and
     * refill would (the same cost against the same total), and what a callee or the host did to
     * the global (a re-entry, a top-up, a host-call charge, even an exhaustion the host swallowed)
     * is seen by the next charge as the reload would have seen it.
     */
    private int hostCallLoopEnd(int i) {
        boolean calls = false;
        for (int k = i + 1; k < ins.size(); k++) {
            AnnotatedInstruction in = ins.get(k);
            OpCode op = in.opcode();
            if (op == OpCode.BR_IF) {
                return calls && in.operand(0) == 0 && ins.get(k + 1).opcode() == OpCode.END ? k : -1;
            }
            if (boundaryOf(in) != Boundary.NONE || op == OpCode.BLOCK || op == OpCode.TRY_TABLE) {
                return -1;
            }
            if (op == OpCode.CALL && calleeClone(in) >= 0) {
                return -1; // a clone call passes the local: not worth the flush and reload around it
            }
            calls |= isCall(op);
        }
        return -1;
    }

    /**
     * The index of the {@code end} of the loop at {@code i} if it is simple: no block type, a
     * body of at most {@link #UNROLL_MAX_BODY} straight-line instructions (no control, calls or
     * length-charged operations), closed by {@code br_if 0}. Else -1.
     */
    private int simpleLoopEnd(int i) {
        if ((wasm[ins.get(i).address() + 1] & 0xFF) != 0x40) {
            return -1;
        }
        for (int k = i + 1; k < ins.size() && k <= i + 1 + UNROLL_MAX_BODY; k++) {
            AnnotatedInstruction in = ins.get(k);
            OpCode op = in.opcode();
            if (op == OpCode.BR_IF) {
                return in.operand(0) == 0 && k > i + 1 && ins.get(k + 1).opcode() == OpCode.END ? k + 1 : -1;
            }
            if (boundaryOf(in) != Boundary.NONE || op == OpCode.BLOCK || op == OpCode.TRY_TABLE || isCall(op)
                    || helperOf(op) != null || staticExtra(in) != 0) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * A simple loop unrolled {@link #UNROLL} times. When the local holds fuel for all the
     * copies, they run with one charge and each early exit refunds the iterations it skipped;
     * otherwise one iteration runs with the exact charge and refill of the original. Every
     * iteration therefore costs what it did, and fuel runs out at the same iteration, while
     * the compiled loop tests fuel (and Chicory its interrupt flag, on the back-edge) once per
     * {@link #UNROLL} iterations.
     */
    private byte[] unrolled(int loop, int end, long after) {
        int brIf = end - 1;
        long c = brIf - loop; // the body and its br_if, as the original header charged
        var body = new ByteArrayOutputStream(64);
        for (int k = loop + 1; k < brIf; k++) {
            AnnotatedInstruction in = ins.get(k);
            if (passing && isLocalAccess(in.opcode()) && in.operand(0) >= fuelLocal) {
                body.write(in.opcode().opcode());
                Leb128.writeU32(body, in.operand(0) + 2);
            } else {
                body.write(wasm, in.address(), ins.get(k + 1).address() - in.address());
            }
        }
        byte[] b = body.toByteArray();
        byte[] get = concat(new byte[] {0x20}, u32(fuelLocal));
        byte[] set = concat(new byte[] {0x21}, u32(fuelLocal));
        long round = UNROLL * c + after; // all copies, and the segment after the loop
        var out = new ByteArrayOutputStream(b.length * (UNROLL + 1) + 128);
        out.writeBytes(new byte[] {0x02, 0x40, 0x03, 0x40}); // block $exit, loop $l
        out.writeBytes(subtractIfNegative(fuelLocal, round)); // if (too little for a round)
        // one iteration, charged (and refilled) exactly as the original loop
        out.writeBytes(refund(get, set, round));
        out.writeBytes(chargeLocal(fuelLocal, fuel.refill(), c));
        out.writeBytes(b);
        out.writeBytes(new byte[] {0x0D, 0x01}); // br_if $l
        out.writeBytes(chargeLocal(fuelLocal, fuel.refill(), after));
        out.write(0x05); // else: the copies, paid for; an exit after copy j refunds the rest
        for (int j = 1; j <= UNROLL; j++) {
            out.writeBytes(new byte[] {0x02, 0x40}); // block $next
            out.writeBytes(b);
            out.writeBytes(new byte[] {0x0D, 0x00}); // br_if $next: the loop goes on
            if (j < UNROLL) {
                out.writeBytes(refund(get, set, (UNROLL - j) * c));
            }
            out.writeBytes(new byte[] {0x0C, 0x03, 0x0B}); // br $exit, end
        }
        out.writeBytes(refund(get, set, after)); // going round again: the segment after is not due yet
        out.writeBytes(new byte[] {0x0C, 0x01, 0x0B, 0x0B, 0x0B}); // br $l, end if, end loop, end block
        return out.toByteArray();
    }

    private static byte[] refund(byte[] get, byte[] set, long units) {
        var out = new ByteArrayOutputStream(16);
        out.writeBytes(get);
        out.write(0x41);
        Leb128.writeS64(out, units);
        out.write(0x6A); // i32.add
        out.writeBytes(set);
        return out.toByteArray();
    }

    /** The fuel-passing clone a direct call can go to instead of the callee's wrapper, or -1. */
    private int calleeClone(AnnotatedInstruction in) {
        long callee = in.operand(0) - importedFunctions;
        return callee >= 0 && callee < clone.length ? clone[(int) callee] : -1;
    }
}
