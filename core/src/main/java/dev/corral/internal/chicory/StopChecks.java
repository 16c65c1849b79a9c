package dev.corral.internal.chicory;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Lets a timed call be stopped without interrupting its thread. Chicory's generated code calls
 * {@code Shaded.checkInterruption()} before every call, every {@code call_indirect} and at every
 * backward branch; this pass turns the backward branches' checks, in functions whose calls need
 * no interrupt ({@link InterruptOnly}: they cannot reach the host, nor recurse), into {@code
 * Shaded.checkStop(memory)}, which first reads the instance's stop word (see {@link
 * FlatMemory#getAsLong}) and then checks the interrupt as before. Every runaway such a call can
 * take is a loop, so the watchdog can stop it by setting a bit in that word instead of
 * interrupting: a stale stop is cleared by the owner's next store, so the owner disarms with a
 * plain store where an interrupt needs a CAS to be taken back safely ({@link
 * dev.corral.internal.Deadline}). The host's own interrupts still stop the guest.
 *
 * <p>The word is read through JDK types only ({@code LongSupplier}): the generated classes live in
 * Chicory's class loader, which need not see Corral's internal packages. Every generated function
 * takes the instance's memory as its second-to-last argument, so each site can load it; a
 * backward branch in any other method keeps Chicory's check and marks the rewrite incomplete
 * (stored with the classes, {@link CompiledCode#stopsComplete}): then Corral keeps interrupting
 * every timed call of the module.
 */
final class StopChecks {
    /** Names the rewrite in the classes' cache key. */
    static final String VERSION = "stop-6";

    static final String CHECK_INTERRUPTION = "checkInterruption";
    private static final String CHECK_STOP = "checkStop";
    private static final String STOPPED = "stopped";
    private static final String MEMORY = "Lcom/dylibso/chicory/runtime/Memory;";
    private static final String CHECK_STOP_DESCRIPTOR = "(" + MEMORY + ")V";
    private static final byte[] CHECK_INTERRUPTION_UTF8 = CHECK_INTERRUPTION.getBytes(StandardCharsets.US_ASCII);
    /** What a stopped call throws: the owner's deadline turns it into a timeout. */
    static final String STOPPED_MESSAGE = "stopped by its deadline";

    private StopChecks() {}

    /**
     * One module's rewrite: which functions keep Chicory's check, and whether any other site could
     * not be rewritten. Shared by the collectors of one compilation (Chicory makes one per chunk).
     */
    static final class Plan {
        final BitSet interruptOnly;
        private final AtomicBoolean incomplete = new AtomicBoolean();

        /** @param interruptOnly the functions whose calls can only be interrupted ({@link InterruptOnly}) */
        Plan(BitSet interruptOnly) {
            this.interruptOnly = interruptOnly;
        }

        /** Every backward branch outside those functions checks the stop word. */
        boolean complete() {
            return !incomplete.get();
        }
    }

    /**
     * A generated class with its backward branches' checks turned into stop checks, except in
     * functions whose calls can only be interrupted: those never run in a call in stop mode (any
     * call that runs them can reach the host or recurse too), so they keep Chicory's checks as they
     * were, and host-heavy code (a loop of host calls) pays nothing for the stop word. The same
     * array when the class has no check; a backward branch left unrewritten otherwise
     * (unexpected) marks the plan incomplete.
     */
    static byte[] rewrite(byte[] classBytes, Plan plan) {
        if (!mentions(classBytes, CHECK_INTERRUPTION_UTF8)) {
            return classBytes;
        }
        try {
            var reader = new ClassReader(classBytes);
            var writer = new ClassWriter(reader, 0);
            reader.accept(new Sites(writer, plan), 0);
            return writer.toByteArray();
        } catch (RuntimeException e) {
            plan.incomplete.set(true);
            return classBytes;
        }
    }

    /** Chicory's per-module copy of its runtime helpers, with {@code checkStop} and {@code stopped} added. */
    static byte[] addToShaded(byte[] classBytes) {
        try {
            var reader = new ClassReader(classBytes);
            var writer = new ClassWriter(reader, 0);
            String owner = reader.getClassName();
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public void visitEnd() {
                    emitCheckStop(cv, owner);
                    emitStopped(cv);
                    super.visitEnd();
                }
            }, 0);
            return writer.toByteArray();
        } catch (RuntimeException e) {
            return classBytes; // no checkStop: a rewritten site would fail to link, so rewrite() must not run
        }
    }

    private static final class Sites extends ClassVisitor {
        private final Plan plan;

        Sites(ClassVisitor next, Plan plan) {
            super(Opcodes.ASM9, next);
            this.plan = plan;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor writer = super.visitMethod(access, name, descriptor, signature, exceptions);
            int function = functionIndex(name);
            if (function >= 0 && plan.interruptOnly.get(function)) {
                return writer; // as Chicory wrote it (the writer copies it unchanged)
            }
            int memory = memorySlot(access, descriptor);
            return new MethodNode(Opcodes.ASM9, access, name, descriptor, signature, exceptions) {
                @Override
                public void visitEnd() {
                    if (rewriteBackEdges(this, memory, plan)) {
                        maxStack++; // the memory pushed where nothing was
                    }
                    accept(writer);
                }
            };
        }
    }

    /**
     * Chicory checks before every call, every {@code call_indirect} and every backward branch; only
     * the last matter in stop mode (no recursion there, see {@link InterruptOnly}). A backward
     * branch's check is the one right before a {@code goto} or a switch (Chicory checks those only
     * when they jump back); it becomes the stop check, the others stay Chicory's. Whether any
     * changed.
     */
    private static boolean rewriteBackEdges(MethodNode m, int memory, Plan plan) {
        boolean changed = false;
        for (AbstractInsnNode in = m.instructions.getFirst(); in != null; in = in.getNext()) {
            if (!(in instanceof MethodInsnNode) || in.getOpcode() != Opcodes.INVOKESTATIC) {
                continue;
            }
            var call = (MethodInsnNode) in;
            AbstractInsnNode next = call.getNext();
            boolean backEdge = next != null && (next.getOpcode() == Opcodes.GOTO
                    || next.getOpcode() == Opcodes.TABLESWITCH || next.getOpcode() == Opcodes.LOOKUPSWITCH);
            if (!call.name.equals(CHECK_INTERRUPTION) || !call.desc.equals("()V") || !backEdge) {
                continue;
            }
            if (memory < 0) {
                plan.incomplete.set(true); // no memory at hand: this loop can only be interrupted
                continue;
            }
            m.instructions.insertBefore(call, new VarInsnNode(Opcodes.ALOAD, memory));
            call.name = CHECK_STOP;
            call.desc = CHECK_STOP_DESCRIPTOR;
            changed = true;
        }
        return changed;
    }

    /** {@code N} for Chicory's {@code func_N}, else -1. */
    private static int functionIndex(String method) {
        if (!method.startsWith("func_")) {
            return -1;
        }
        try {
            return Integer.parseInt(method.substring(5));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The local slot of a static method's second-to-last argument when it is the memory, else -1. */
    static int memorySlot(int access, String descriptor) {
        if ((access & Opcodes.ACC_STATIC) == 0) {
            return -1;
        }
        Type[] args = Type.getArgumentTypes(descriptor);
        if (args.length < 2 || !args[args.length - 2].getDescriptor().equals(MEMORY)) {
            return -1;
        }
        int slot = 0;
        for (int i = 0; i < args.length - 2; i++) {
            slot += args[i].getSize();
        }
        return slot;
    }

    /**
     * {@code static void checkStop(Memory m) { if (m instanceof LongSupplier && (((LongSupplier) m)
     * .getAsLong() & 1) != 0) throw stopped(); checkInterruption(); }}: under 35 bytes, so HotSpot
     * inlines it at every site, hot or not.
     */
    private static void emitCheckStop(ClassVisitor cv, String owner) {
        MethodVisitor mv = cv.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, CHECK_STOP, CHECK_STOP_DESCRIPTOR, null, null);
        mv.visitCode();
        Label interrupt = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitTypeInsn(Opcodes.INSTANCEOF, "java/util/function/LongSupplier");
        mv.visitJumpInsn(Opcodes.IFEQ, interrupt);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitTypeInsn(Opcodes.CHECKCAST, "java/util/function/LongSupplier");
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/function/LongSupplier", "getAsLong", "()J", true);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitInsn(Opcodes.IAND);
        mv.visitJumpInsn(Opcodes.IFEQ, interrupt);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, STOPPED, "()Ljava/lang/RuntimeException;", false);
        mv.visitInsn(Opcodes.ATHROW);
        mv.visitLabel(interrupt);
        mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, CHECK_INTERRUPTION, "()V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(2, 1);
        mv.visitEnd();
    }

    /** Out of line, so that checkStop stays small. */
    private static void emitStopped(ClassVisitor cv) {
        String type = "com/dylibso/chicory/runtime/ChicoryInterruptedException";
        MethodVisitor mv = cv.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, STOPPED, "()Ljava/lang/RuntimeException;",
                null, null);
        mv.visitCode();
        mv.visitTypeInsn(Opcodes.NEW, type);
        mv.visitInsn(Opcodes.DUP);
        mv.visitLdcInsn(STOPPED_MESSAGE);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, type, "<init>", "(Ljava/lang/String;)V", false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(3, 0);
        mv.visitEnd();
    }

    /** Whether {@code needle} occurs in {@code bytes}: a class's constant pool names every method it calls. */
    static boolean mentions(byte[] bytes, byte[] needle) {
        outer:
        for (int i = 0, end = bytes.length - needle.length; i <= end; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (bytes[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
