package dev.corral.internal.chicory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.LookupSwitchInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TableSwitchInsnNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Splits the dispatch methods Chicory's compiler generates when they are too large for HotSpot's
 * JIT. Chicory dispatches a host-to-guest call ({@code call_dispatch_N}, or {@code call} itself in
 * small modules) and every {@code call_indirect} of a type with many functions
 * ({@code CompiledMachineIndirect_T_S.apply}) through one {@code switch} with a case per function.
 * With a few thousand functions of one type (a Go module: ~1,900, all {@code (i32) -> i32}) such a
 * method is 14-26 KB of bytecode, and HotSpot never compiles a method above 8,000 bytes: every
 * indirect call then runs a switch in the bytecode interpreter (~76 ns instead of ~7 split, on a
 * 2,000-function module: benchmarks/README.md, "Dispatch").
 *
 * <p>The method becomes a short chain of key comparisons that calls one of several helpers with
 * its own arguments; each helper is the original method restricted to a range of keys (the same
 * argument loads, a switch over its keys, their case blocks, the same default). Only methods of
 * exactly that shape are touched: static, the arguments pushed, the key loaded from an argument,
 * one switch, and case blocks that are straight-line code ending in a return or a throw and read
 * only arguments. Anything else is left as it is (it may then stay above the limit, which
 * {@link CompileFacts} reports).
 */
final class DispatchSplitter {
    /**
     * Only for measuring what the rewrite gains (benchmarks/: IndirectCallBenchmark's unsplit
     * rows): with this system property set, dispatch methods stay as Chicory generates them.
     */
    static final boolean ENABLED = !Boolean.getBoolean("dev.corral.internal.noDispatchSplit");
    /** Part of the compile cache's key for classes. */
    static final String VERSION = ENABLED ? "dispatch-1" : "dispatch-off";

    /** Cases per helper: ~11 bytes each plus 8 of switch table, so a helper stays near 5 KB. */
    static final int CASES_PER_HELPER = 256;

    private DispatchSplitter() {}

    /** The class with its oversized dispatch methods split; the same array when there is none. */
    static byte[] split(byte[] classBytes) {
        if (!ENABLED) {
            return classBytes;
        }
        try {
            return splitLarge(classBytes);
        } catch (RuntimeException e) {
            return classBytes; // anything unexpected about the class: it runs as Chicory made it, only slower
        }
    }

    private static byte[] splitLarge(byte[] classBytes) {
        List<CompiledCode.Method> sizes = new ArrayList<>();
        try {
            CompiledCode.readMethods("", classBytes, sizes);
        } catch (IOException | RuntimeException e) {
            return classBytes;
        }
        Map<String, Integer> large = new HashMap<>();
        for (CompiledCode.Method m : sizes) {
            if (m.bytes() > FunctionSplitter.JIT_LIMIT) {
                large.put(m.name(), m.bytes());
            }
        }
        if (large.isEmpty()) {
            return classBytes;
        }
        var node = new ClassNode();
        new ClassReader(classBytes).accept(node, ClassReader.EXPAND_FRAMES);
        List<MethodNode> helpers = new ArrayList<>();
        for (MethodNode m : node.methods) {
            if (!large.containsKey(m.name)) {
                continue;
            }
            Shape s = Shape.of(m);
            if (s != null) {
                helpers.addAll(s.split(node.name, m));
            } else {
                MethodNode dispatch = InnerSwitch.extract(node.name, m);
                if (dispatch != null) {
                    helpers.add(dispatch);
                    Shape d = Shape.of(dispatch);
                    if (d != null && d.cases.size() > CASES_PER_HELPER) {
                        helpers.addAll(d.split(node.name, dispatch));
                    }
                }
            }
        }
        if (helpers.isEmpty()) {
            return classBytes;
        }
        node.methods.addAll(helpers);
        // frames: the methods left as they were keep theirs (read expanded), the new and changed
        // ones carry frames written here; nothing is recomputed, so no class is ever loaded
        var writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        node.accept(writer);
        byte[] out = writer.toByteArray();
        sizes.clear();
        try {
            CompiledCode.readMethods("", out, sizes);
        } catch (IOException e) {
            return classBytes;
        }
        for (CompiledCode.Method m : sizes) {
            if (m.bytes() > FunctionSplitter.JIT_LIMIT && !large.containsKey(m.name())) {
                return classBytes; // a helper came out too large: keep what Chicory made
            }
        }
        return out;
    }

    /** The frame of a point with the method's arguments as locals and {@code stack} on the stack. */
    static FrameNode frame(String desc, List<Object> stack) {
        List<Object> locals = new ArrayList<>();
        for (Type t : Type.getArgumentTypes(desc)) {
            locals.add(frameType(t));
        }
        return new FrameNode(Opcodes.F_NEW, locals.size(), locals.toArray(), stack.size(), stack.toArray());
    }

    static Object frameType(Type t) {
        switch (t.getSort()) {
            case Type.BOOLEAN:
            case Type.BYTE:
            case Type.CHAR:
            case Type.SHORT:
            case Type.INT:
                return Opcodes.INTEGER;
            case Type.LONG:
                return Opcodes.LONG;
            case Type.FLOAT:
                return Opcodes.FLOAT;
            case Type.DOUBLE:
                return Opcodes.DOUBLE;
            default:
                return t.getInternalName();
        }
    }

    /**
     * A {@code call_indirect} of a type with up to 1,024 functions: Chicory puts its switch in the
     * middle of the method, after the table lookup, with the call's arguments on the stack and the
     * function index on top; each case calls its function and returns, the default throws. The
     * switch and its cases move to a dispatch method of their own, called in their place.
     */
    private static final class InnerSwitch {
        static MethodNode extract(String owner, MethodNode m) {
            AbstractInsnNode sw = null;
            for (AbstractInsnNode i = m.instructions.getFirst(); i != null; i = i.getNext()) {
                if (Shape.isSwitch(i)) {
                    if (sw != null) {
                        return null; // one switch only
                    }
                    sw = i;
                }
            }
            if (sw == null || !m.tryCatchBlocks.isEmpty()) {
                return null;
            }
            List<LabelNode> targets = new ArrayList<>();
            LabelNode dflt;
            if (sw instanceof TableSwitchInsnNode) {
                targets.addAll(((TableSwitchInsnNode) sw).labels);
                dflt = ((TableSwitchInsnNode) sw).dflt;
            } else {
                targets.addAll(((LookupSwitchInsnNode) sw).labels);
                dflt = ((LookupSwitchInsnNode) sw).dflt;
            }
            // every case: invokestatic of one descriptor, then its return; the default: no locals, a throw
            String desc = null;
            var all = new java.util.LinkedHashSet<LabelNode>(targets);
            all.add(dflt);
            var dead = new java.util.HashSet<AbstractInsnNode>();
            for (LabelNode l : all) {
                List<AbstractInsnNode> code = new ArrayList<>();
                AbstractInsnNode i = l.getNext();
                for (; i != null; i = i.getNext()) {
                    if (i.getOpcode() < 0) {
                        if (i instanceof LabelNode) {
                            return null; // falls into another case, or a label something else may jump to
                        }
                        continue;
                    }
                    code.add(i);
                    int op = i.getOpcode();
                    if ((op >= Opcodes.IRETURN && op <= Opcodes.RETURN) || op == Opcodes.ATHROW) {
                        break;
                    }
                    if (i instanceof JumpInsnNode || Shape.isSwitch(i) || i instanceof VarInsnNode || op == Opcodes.IINC) {
                        return null;
                    }
                }
                if (i == null) {
                    return null;
                }
                if (l != dflt) {
                    if (code.size() != 2 || code.get(0).getOpcode() != Opcodes.INVOKESTATIC) {
                        return null;
                    }
                    String d = ((MethodInsnNode) code.get(0)).desc;
                    if (desc != null && !desc.equals(d)) {
                        return null;
                    }
                    desc = d;
                }
                for (AbstractInsnNode x = l; x != i.getNext(); x = x.getNext()) {
                    dead.add(x);
                }
            }
            if (desc == null || referencedElsewhere(m, sw, all)) {
                return null;
            }
            // the dispatch method: (call arguments..., int index) -> the call's result
            Type[] callArgs = Type.getArgumentTypes(desc);
            Type[] args = java.util.Arrays.copyOf(callArgs, callArgs.length + 1);
            args[callArgs.length] = Type.INT_TYPE;
            Type result = Type.getReturnType(desc);
            String dispatchDesc = Type.getMethodDescriptor(result, args);
            var d = new MethodNode(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
                    m.name + "$dispatch", dispatchDesc, null, null);
            int slot = 0;
            List<Object> stack = new ArrayList<>();
            for (Type t : callArgs) {
                d.instructions.add(new VarInsnNode(t.getOpcode(Opcodes.ILOAD), slot));
                stack.add(frameType(t));
                slot += t.getSize();
            }
            d.instructions.add(new VarInsnNode(Opcodes.ILOAD, slot));
            Map<LabelNode, LabelNode> copies = new HashMap<>();
            for (LabelNode l : all) {
                copies.put(l, new LabelNode());
            }
            d.instructions.add(sw.clone(copies));
            for (LabelNode l : all) {
                d.instructions.add(copies.get(l));
                d.instructions.add(frame(dispatchDesc, stack));
                for (AbstractInsnNode x = l.getNext(); x != null && dead.contains(x); x = x.getNext()) {
                    if (x.getOpcode() >= 0) {
                        d.instructions.add(x.clone(copies));
                    }
                }
            }
            // in the method: the switch becomes the call, the cases go
            var call = new InsnList();
            call.add(new MethodInsnNode(Opcodes.INVOKESTATIC, owner, d.name, dispatchDesc, false));
            call.add(new InsnNode(result.getOpcode(Opcodes.IRETURN)));
            m.instructions.insert(sw, call);
            m.instructions.remove(sw);
            for (AbstractInsnNode x : dead) {
                m.instructions.remove(x);
            }
            return d;
        }

        /** Whether anything but the switch jumps to one of its targets. */
        private static boolean referencedElsewhere(MethodNode m, AbstractInsnNode sw, java.util.Set<LabelNode> targets) {
            for (AbstractInsnNode i = m.instructions.getFirst(); i != null; i = i.getNext()) {
                if (i instanceof JumpInsnNode && targets.contains(((JumpInsnNode) i).label)) {
                    return true;
                }
            }
            return m.localVariables != null && !m.localVariables.isEmpty();
        }
    }

    /** A dispatch method: its argument loads, the key's slot, the switch, and the case blocks. */
    private static final class Shape {
        final List<AbstractInsnNode> prologue;
        final int keySlot;
        final TreeMap<Integer, LabelNode> cases;
        final LabelNode dflt;
        final Map<LabelNode, List<AbstractInsnNode>> blocks;

        private Shape(List<AbstractInsnNode> prologue, int keySlot, TreeMap<Integer, LabelNode> cases, LabelNode dflt,
                Map<LabelNode, List<AbstractInsnNode>> blocks) {
            this.prologue = prologue;
            this.keySlot = keySlot;
            this.cases = cases;
            this.dflt = dflt;
            this.blocks = blocks;
        }

        static Shape of(MethodNode m) {
            if ((m.access & Opcodes.ACC_STATIC) == 0 || !m.tryCatchBlocks.isEmpty()) {
                return null;
            }
            int argSlots = Type.getArgumentsAndReturnSizes(m.desc) >> 2;
            List<AbstractInsnNode> prologue = new ArrayList<>();
            AbstractInsnNode i = m.instructions.getFirst();
            for (; i != null && !isSwitch(i); i = i.getNext()) {
                if (i.getOpcode() < 0) {
                    continue; // labels, line numbers, frames
                }
                if (!isArgumentLoad(i, argSlots)) {
                    return null;
                }
                prologue.add(i);
            }
            if (i == null || prologue.isEmpty() || prologue.get(prologue.size() - 1).getOpcode() != Opcodes.ILOAD) {
                return null;
            }
            int keySlot = ((VarInsnNode) prologue.get(prologue.size() - 1)).var;
            var cases = new TreeMap<Integer, LabelNode>();
            LabelNode dflt;
            if (i instanceof TableSwitchInsnNode) {
                var t = (TableSwitchInsnNode) i;
                for (int k = t.min; k <= t.max; k++) {
                    cases.put(k, t.labels.get(k - t.min));
                }
                dflt = t.dflt;
            } else {
                var l = (LookupSwitchInsnNode) i;
                for (int k = 0; k < l.keys.size(); k++) {
                    cases.put(l.keys.get(k), l.labels.get(k));
                }
                dflt = l.dflt;
            }
            Map<LabelNode, List<AbstractInsnNode>> blocks = new HashMap<>();
            for (LabelNode target : cases.values()) {
                if (!blocks.containsKey(target) && !addBlock(target, argSlots, blocks)) {
                    return null;
                }
            }
            if (!blocks.containsKey(dflt) && !addBlock(dflt, argSlots, blocks)) {
                return null;
            }
            return new Shape(prologue, keySlot, cases, dflt, blocks);
        }

        /** The straight-line code from {@code start} to its return or throw, or false if it is not that. */
        private static boolean addBlock(LabelNode start, int argSlots, Map<LabelNode, List<AbstractInsnNode>> blocks) {
            List<AbstractInsnNode> code = new ArrayList<>();
            for (AbstractInsnNode i = start.getNext(); i != null; i = i.getNext()) {
                int op = i.getOpcode();
                if (op < 0) {
                    continue;
                }
                if (i instanceof JumpInsnNode || isSwitch(i) || op == Opcodes.RET || op == Opcodes.IINC
                        || (i instanceof VarInsnNode && !isArgumentLoad(i, argSlots))) {
                    return false;
                }
                code.add(i);
                if ((op >= Opcodes.IRETURN && op <= Opcodes.RETURN) || op == Opcodes.ATHROW) {
                    blocks.put(start, code);
                    return true;
                }
            }
            return false;
        }

        /** Adds the helpers to the class's methods and turns {@code m} into the chain that calls them. */
        List<MethodNode> split(String owner, MethodNode m) {
            List<Map.Entry<Integer, LabelNode>> all = new ArrayList<>(cases.entrySet());
            List<MethodNode> helpers = new ArrayList<>();
            List<Integer> highest = new ArrayList<>();
            for (int from = 0; from < all.size(); from += CASES_PER_HELPER) {
                var part = all.subList(from, Math.min(all.size(), from + CASES_PER_HELPER));
                helpers.add(helper(m, m.name + "$part" + helpers.size(), part));
                highest.add(part.get(part.size() - 1).getKey());
            }
            Type[] args = Type.getArgumentTypes(m.desc);
            int returnOp = Type.getReturnType(m.desc).getOpcode(Opcodes.IRETURN);
            var chain = new InsnList();
            for (int h = 0; h < helpers.size(); h++) {
                LabelNode next = new LabelNode();
                boolean last = h == helpers.size() - 1;
                if (!last) { // keys above this helper's highest go on down the chain
                    chain.add(new VarInsnNode(Opcodes.ILOAD, keySlot));
                    chain.add(new LdcInsnNode(highest.get(h)));
                    chain.add(new JumpInsnNode(Opcodes.IF_ICMPGT, next));
                }
                int slot = 0;
                for (Type t : args) {
                    chain.add(new VarInsnNode(t.getOpcode(Opcodes.ILOAD), slot));
                    slot += t.getSize();
                }
                chain.add(new MethodInsnNode(Opcodes.INVOKESTATIC, owner, helpers.get(h).name, m.desc, false));
                chain.add(new InsnNode(returnOp));
                if (!last) {
                    chain.add(next);
                    chain.add(frame(m.desc, List.of()));
                }
            }
            m.instructions = chain;
            m.localVariables = null;
            m.maxLocals = Type.getArgumentsAndReturnSizes(m.desc) >> 2;
            return helpers;
        }

        private MethodNode helper(MethodNode m, String name, List<Map.Entry<Integer, LabelNode>> part) {
            var h = new MethodNode(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC, name, m.desc, null,
                    null);
            Map<LabelNode, LabelNode> copies = new HashMap<>();
            int[] keys = new int[part.size()];
            LabelNode[] labels = new LabelNode[part.size()];
            for (int k = 0; k < part.size(); k++) {
                keys[k] = part.get(k).getKey();
                labels[k] = copies.computeIfAbsent(part.get(k).getValue(), x -> new LabelNode());
            }
            LabelNode dfltCopy = copies.computeIfAbsent(dflt, x -> new LabelNode());
            for (AbstractInsnNode i : prologue) {
                h.instructions.add(i.clone(copies));
            }
            h.instructions.add(new LookupSwitchInsnNode(dfltCopy, keys, labels));
            List<Object> stack = new ArrayList<>();
            Type[] args = Type.getArgumentTypes(m.desc);
            int[] slotOf = new int[args.length];
            for (int a = 0, slot = 0; a < args.length; slot += args[a].getSize(), a++) {
                slotOf[a] = slot;
            }
            for (AbstractInsnNode i : prologue.subList(0, prologue.size() - 1)) {
                int var = ((VarInsnNode) i).var;
                for (int a = 0; a < args.length; a++) {
                    if (slotOf[a] == var) {
                        stack.add(frameType(args[a]));
                    }
                }
            }
            for (var e : copies.entrySet()) {
                h.instructions.add(e.getValue());
                h.instructions.add(frame(m.desc, stack));
                for (AbstractInsnNode i : blocks.get(e.getKey())) {
                    h.instructions.add(i.clone(copies));
                }
            }
            return h;
        }

        private static boolean isSwitch(AbstractInsnNode i) {
            return i instanceof TableSwitchInsnNode || i instanceof LookupSwitchInsnNode;
        }

        private static boolean isArgumentLoad(AbstractInsnNode i, int argSlots) {
            int op = i.getOpcode();
            return i instanceof VarInsnNode && op >= Opcodes.ILOAD && op <= Opcodes.ALOAD && ((VarInsnNode) i).var < argSlots;
        }
    }
}
