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

/**
 * Lets a timed call be stopped without interrupting its thread. Chicory's generated code calls
 * {@code Shaded.checkInterruption()} before every call, every {@code call_indirect} and at every
 * backward branch; this pass turns each of those calls into {@code Shaded.checkStop(memory)}, which
 * first reads the instance's stop word (see {@link FlatMemory#getAsLong}) and then checks the
 * interrupt as before. The watchdog can then stop a call by setting a bit in that word instead of
 * interrupting: a stale stop is cleared by the owner's next store, so the owner disarms with a
 * plain store where an interrupt needs a CAS to be taken back safely ({@link
 * dev.corral.internal.Deadline}). The host's own interrupts still stop the guest.
 *
 * <p>The word is read through JDK types only ({@code LongSupplier}): the generated classes live in
 * Chicory's class loader, which need not see Corral's internal packages. Every generated function
 * takes the instance's memory as its second-to-last argument, so each site can load it; a site in
 * any other method is left as it was and marks the rewrite incomplete (stored with the classes,
 * {@link CompiledCode#stopsComplete}): then Corral keeps interrupting every timed call of the module.
 */
final class StopChecks {
    /** Names the rewrite in the classes' cache key. */
    static final String VERSION = "stop-3";

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
        final BitSet hostReach;
        private final AtomicBoolean incomplete = new AtomicBoolean();

        /** @param hostReach the functions that can reach the host ({@link HostReach}) */
        Plan(BitSet hostReach) {
            this.hostReach = hostReach;
        }

        /** Every site outside the host-reaching functions checks the stop word. */
        boolean complete() {
            return !incomplete.get();
        }
    }

    /**
     * A generated class with its interruption checks turned into stop checks, except in functions
     * that can reach the host: those never run in a call in stop mode (any call that runs them
     * can reach the host too), so they keep Chicory's check as it was, and host-heavy code
     * (a loop of host calls) pays nothing for the stop word. The same array when the class has no
     * check; any site left unrewritten otherwise (unexpected) marks the plan incomplete.
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
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            int function = functionIndex(name);
            if (function >= 0 && plan.hostReach.get(function)) {
                return mv; // as Chicory wrote it (the writer copies it unchanged)
            }
            int memory = memorySlot(access, descriptor);
            return new MethodVisitor(Opcodes.ASM9, mv) {
                private boolean changed;

                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                    if (opcode == Opcodes.INVOKESTATIC && method.equals(CHECK_INTERRUPTION) && desc.equals("()V")) {
                        if (memory < 0) {
                            plan.incomplete.set(true); // no memory at hand: this site can only be interrupted
                        } else {
                            super.visitVarInsn(Opcodes.ALOAD, memory);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, CHECK_STOP, CHECK_STOP_DESCRIPTOR, false);
                            changed = true;
                            return;
                        }
                    }
                    super.visitMethodInsn(opcode, owner, method, desc, itf);
                }

                @Override
                public void visitMaxs(int maxStack, int maxLocals) {
                    super.visitMaxs(changed ? maxStack + 1 : maxStack, maxLocals); // the memory pushed where nothing was
                }
            };
        }
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
