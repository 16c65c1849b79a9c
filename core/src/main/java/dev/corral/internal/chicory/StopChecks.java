package dev.corral.internal.chicory;

import java.nio.charset.StandardCharsets;
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
 * any other method is left as it was, and then the module's classes still name {@code
 * checkInterruption} ({@link CompiledCode#interruptOnly}), so Corral keeps interrupting its calls.
 */
final class StopChecks {
    /** Names the rewrite in the classes' cache key. */
    static final String VERSION = "stop-2";

    static final String CHECK_INTERRUPTION = "checkInterruption";
    private static final String CHECK_STOP = "checkStop";
    /** Before a host call: Chicory's check alone, under a name of its own (see {@link CompiledCode#interruptOnly}). */
    private static final String CHECK_BEFORE_HOST = "checkBeforeHostCall";
    private static final String STOPPED = "stopped";
    private static final String MEMORY = "Lcom/dylibso/chicory/runtime/Memory;";
    private static final String CHECK_STOP_DESCRIPTOR = "(" + MEMORY + ")V";
    private static final byte[] CHECK_INTERRUPTION_UTF8 = CHECK_INTERRUPTION.getBytes(StandardCharsets.US_ASCII);
    /** What a stopped call throws: the owner's deadline turns it into a timeout. */
    static final String STOPPED_MESSAGE = "stopped by its deadline";

    private StopChecks() {}

    /**
     * A generated class with its interruption checks turned into stop checks; the same array when
     * it has none, or when anything about it is unexpected (it then keeps Chicory's checks).
     *
     * @param importedFunctions the module's imported functions: a call of one (a host function)
     *     keeps Chicory's check alone ({@code checkBeforeHostCall}), since a call in stop mode
     *     never reaches the host (see {@link HostReach}), and a host call is hot enough that a
     *     second read there shows (3.2 -> 3.5 ns per guest->host call under fuel)
     */
    static byte[] rewrite(byte[] classBytes, int importedFunctions) {
        if (!mentions(classBytes, CHECK_INTERRUPTION_UTF8)) {
            return classBytes;
        }
        try {
            var reader = new ClassReader(classBytes);
            // a fresh constant pool: a class whose every site was rewritten no longer names
            // checkInterruption at all, which is how CompiledCode tells a complete rewrite
            var writer = new ClassWriter(0);
            reader.accept(new Sites(writer, importedFunctions), 0);
            return writer.toByteArray();
        } catch (RuntimeException e) {
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
                    emitCheckBeforeHostCall(cv, owner);
                    emitStopped(cv);
                    super.visitEnd();
                }
            }, 0);
            return writer.toByteArray();
        } catch (RuntimeException e) {
            return classBytes; // no checkStop: a rewritten site would fail to link, so rewrite() must not run
        }
    }

    /**
     * Redirects each {@code checkInterruption()} of a method that has the memory at hand. Chicory
     * emits the check before a call's arguments are loaded; it is held back over those loads and
     * placed right before the call (the arguments are values by then: nothing observable moves),
     * where the callee says whether it is a host function. Any other instruction first (a jump, a
     * switch, a conversion of boxed arguments) places it as a stop check where it stood.
     */
    private static final class Sites extends ClassVisitor {
        private final int importedFunctions;

        Sites(ClassVisitor next, int importedFunctions) {
            super(Opcodes.ASM9, next);
            this.importedFunctions = importedFunctions;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            int memory = memorySlot(access, descriptor);
            if (memory < 0) {
                return mv;
            }
            return new HeldCheck(mv, memory, importedFunctions);
        }
    }

    private static final class HeldCheck extends MethodVisitor {
        private final int memory;
        private final int importedFunctions;
        private String owner; // of the held check; null: none held

        HeldCheck(MethodVisitor mv, int memory, int importedFunctions) {
            super(Opcodes.ASM9, mv);
            this.memory = memory;
            this.importedFunctions = importedFunctions;
        }

        private void place(boolean host) {
            if (owner == null) {
                return;
            }
            if (host) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, CHECK_BEFORE_HOST, "()V", false);
            } else {
                super.visitVarInsn(Opcodes.ALOAD, memory);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, CHECK_STOP, CHECK_STOP_DESCRIPTOR, false);
            }
            owner = null;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
            if (opcode == Opcodes.INVOKESTATIC && method.equals(CHECK_INTERRUPTION) && desc.equals("()V")) {
                place(false);
                this.owner = owner;
                return;
            }
            if (this.owner != null) {
                int f = opcode == Opcodes.INVOKESTATIC ? functionIndex(method) : -1;
                place(f >= 0 && f < importedFunctions);
            }
            super.visitMethodInsn(opcode, owner, method, desc, itf);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (opcode < Opcodes.ILOAD || opcode > Opcodes.ALOAD) {
                place(false);
            }
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitInsn(int opcode) {
            place(false);
            super.visitInsn(opcode);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            place(false);
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            place(false);
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            place(false);
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, org.objectweb.asm.Handle bsm, Object... args) {
            place(false);
            super.visitInvokeDynamicInsn(name, descriptor, bsm, args);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            place(false);
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLabel(Label label) {
            place(false);
            super.visitLabel(label);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            place(false);
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        @Override
        public void visitLdcInsn(Object value) {
            place(false);
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            place(false);
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
            place(false);
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
            place(false);
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            place(false);
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            super.visitLineNumber(line, start); // not code
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            place(false);
            super.visitMaxs(maxStack + 1, maxLocals); // the memory pushed where nothing was
        }

        @Override
        public void visitEnd() {
            place(false);
            super.visitEnd();
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

    /** {@code static void checkBeforeHostCall() { checkInterruption(); }} */
    private static void emitCheckBeforeHostCall(ClassVisitor cv, String owner) {
        MethodVisitor mv = cv.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, CHECK_BEFORE_HOST, "()V", null, null);
        mv.visitCode();
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, owner, CHECK_INTERRUPTION, "()V", false);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(0, 0);
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
