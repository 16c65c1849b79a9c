package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/** The rewrite of Chicory's interruption checks, on classes shaped as Chicory generates them. */
class StopChecksTest {
    private static final String OWNER = "gen/MachineFuncGroup_0";
    private static final String SHADED = "gen/MachineShaded";
    private static final String MEMORY = "Lcom/dylibso/chicory/runtime/Memory;";
    private static final String INSTANCE = "Lcom/dylibso/chicory/runtime/Instance;";
    private static final String FUNC = "(I" + MEMORY + INSTANCE + ")I";

    /**
     * {@code func_7(int, Memory, Instance)}: a call of function 1, a call of function 5, and a loop
     * whose back-edge checks, as Chicory emits them; and a method without the memory at hand.
     */
    private static byte[] generated() {
        var cw = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL, OWNER, null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "func_7", FUNC, null, null);
        mv.visitCode();
        for (int callee : new int[] {1, 5}) {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, SHADED, StopChecks.CHECK_INTERRUPTION, "()V", false);
            mv.visitVarInsn(Opcodes.ILOAD, 0);
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitVarInsn(Opcodes.ALOAD, 2);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, OWNER, "func_" + callee, FUNC, false);
            mv.visitInsn(Opcodes.POP);
        }
        Label loop = new Label();
        mv.visitLabel(loop);
        mv.visitIincInsn(0, -1);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        Label out = new Label();
        mv.visitJumpInsn(Opcodes.IFLE, out);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, SHADED, StopChecks.CHECK_INTERRUPTION, "()V", false);
        mv.visitJumpInsn(Opcodes.GOTO, loop);
        mv.visitLabel(out);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        // a loop in a method without the memory at hand keeps its check
        mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "helper", "()V", null, null);
        mv.visitCode();
        Label spin = new Label();
        mv.visitLabel(spin);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, SHADED, StopChecks.CHECK_INTERRUPTION, "()V", false);
        mv.visitJumpInsn(Opcodes.GOTO, spin);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static List<String> calls(MethodNode m) {
        List<String> out = new ArrayList<>();
        for (AbstractInsnNode in : m.instructions) {
            if (in instanceof MethodInsnNode) {
                var call = (MethodInsnNode) in;
                String previous = call.getPrevious() instanceof VarInsnNode && call.name.equals("checkStop")
                        ? "aload " + ((VarInsnNode) call.getPrevious()).var + " " : "";
                out.add(previous + call.name);
            }
        }
        return out;
    }

    private static MethodNode method(byte[] cls, String name) {
        var node = new ClassNode();
        new ClassReader(cls).accept(node, 0);
        return node.methods.stream().filter(m -> m.name.equals(name)).findFirst().orElseThrow();
    }

    private static StopChecks.Plan plan(int... hostReaching) {
        var reach = new java.util.BitSet();
        for (int f : hostReaching) {
            reach.set(f);
        }
        return new StopChecks.Plan(reach);
    }

    private static byte[] withoutHelper(byte[] cls) {
        var node = new ClassNode();
        new ClassReader(cls).accept(node, 0);
        node.methods.removeIf(m -> m.name.equals("helper"));
        var cw = new ClassWriter(0);
        node.accept(cw);
        return cw.toByteArray();
    }

    @Test
    void eachBackwardBranchOfAFunctionThatNeedsNoInterruptChecksTheStopWord() {
        var plan = plan(1); // function 1 is an import
        byte[] out = StopChecks.rewrite(withoutHelper(generated()), plan);
        // the checks before calls stay Chicory's (a call in stop mode does not recurse)
        assertEquals(List.of("checkInterruption", "func_1", "checkInterruption", "func_5", "aload 1 checkStop"),
                calls(method(out, "func_7")));
        assertTrue(plan.complete());
    }

    @Test
    void aFunctionWhoseCallsAreInterruptedKeepsChicorysChecks() {
        var plan = plan(1, 7); // func_7 calls the import: it never runs in a call in stop mode
        byte[] in = withoutHelper(generated());
        byte[] out = StopChecks.rewrite(in, plan);
        assertEquals(List.of("checkInterruption", "func_1", "checkInterruption", "func_5", "checkInterruption"),
                calls(method(out, "func_7")));
        assertTrue(plan.complete(), "kept on purpose, not a site left behind");
    }

    @Test
    void aBackwardBranchWithoutTheMemoryAtHandMakesThePlanIncomplete() {
        var plan = plan();
        byte[] out = StopChecks.rewrite(generated(), plan);
        assertEquals(List.of("checkInterruption"), calls(method(out, "helper")));
        assertEquals(List.of("checkInterruption", "func_1", "checkInterruption", "func_5", "aload 1 checkStop"),
                calls(method(out, "func_7")));
        assertFalse(plan.complete(), "such a module's calls can only be interrupted");
    }

    @Test
    void aClassWithoutChecksComesBackAsItWas() {
        var cw = new ClassWriter(0);
        cw.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, OWNER, null, "java/lang/Object", null);
        cw.visitEnd();
        byte[] in = cw.toByteArray();
        assertSame(in, StopChecks.rewrite(in, plan()));
    }

    @Test
    void theShadedClassGainsTheChecks() {
        var cw = new ClassWriter(0);
        cw.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, SHADED, null, "java/lang/Object", null);
        cw.visitEnd();
        byte[] in = cw.toByteArray();
        byte[] out = StopChecks.addToShaded(in);
        var node = new ClassNode();
        new ClassReader(out).accept(node, 0);
        assertArrayEquals(new String[] {"checkStop", "stopped"},
                node.methods.stream().map(m -> m.name).toArray(String[]::new));
        assertTrue(method(out, "checkStop").instructions.size() > 0);
    }

    @Test
    void theMemoryIsTheSecondToLastArgument() {
        assertEquals(3, StopChecks.memorySlot(Opcodes.ACC_STATIC, "(JI" + MEMORY + INSTANCE + ")V"));
        assertEquals(0, StopChecks.memorySlot(Opcodes.ACC_STATIC, "(" + MEMORY + INSTANCE + ")V"));
        assertEquals(-1, StopChecks.memorySlot(0, "(" + MEMORY + INSTANCE + ")V"), "not static");
        assertEquals(-1, StopChecks.memorySlot(Opcodes.ACC_STATIC, "(I" + INSTANCE + ")V"));
    }
}
