package dev.corral.internal.chicory;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/**
 * What Chicory's compiler produced for a module, read back from the jar of classes it stores in
 * the compile cache: the bytecode size of every method, so Corral can tell which wasm functions
 * came out above HotSpot's huge-method limit. A minimal class-file reader (constant pool, then
 * each method's Code attribute length): core depends on Chicory only.
 */
final class CompiledCode {
    /** One generated method. {@code function} is the wasm function index for {@code func_N}, else -1. */
    record Method(String className, String name, int bytes, int function) {}

    final List<Method> methods;
    /** Total size of the generated class files. */
    final long classBytes;
    /**
     * Every backward branch outside the interrupt-only functions checks the stop word ({@link
     * StopChecks}); else calls of this module can only be stopped by interrupting them.
     */
    final boolean stopsComplete;
    /** Functions whose calls can only be interrupted ({@link InterruptOnly}), as compiled with them; null when unknown. */
    final java.util.BitSet interruptOnly;

    /** The jar entry of the stop checks' plan: 1 when complete, then the interrupt-only functions as a bit set. */
    static final String STOP_PLAN_ENTRY = "corral-stop-plan.bin";

    private CompiledCode(List<Method> methods, long classBytes, boolean stopsComplete, java.util.BitSet interruptOnly) {
        this.methods = List.copyOf(methods);
        this.classBytes = classBytes;
        this.stopsComplete = stopsComplete;
        this.interruptOnly = interruptOnly;
    }

    /** Reads the jar Chicory's {@code MachineFactoryCompiler} stores in its cache. */
    static CompiledCode ofJar(byte[] jar) throws IOException {
        List<Method> methods = new ArrayList<>();
        long total = 0;
        boolean stopsComplete = false;
        java.util.BitSet interruptOnly = null;
        try (var in = new JarInputStream(new ByteArrayInputStream(jar))) {
            JarEntry e;
            while ((e = in.getNextJarEntry()) != null) {
                if (e.getName().equals(STOP_PLAN_ENTRY)) {
                    byte[] plan = in.readAllBytes();
                    stopsComplete = plan.length > 0 && plan[0] == 1;
                    interruptOnly = java.util.BitSet.valueOf(java.util.Arrays.copyOfRange(plan, Math.min(1, plan.length), plan.length));
                    continue;
                }
                if (!e.getName().endsWith(".class")) {
                    continue;
                }
                byte[] cls = in.readAllBytes();
                total += cls.length;
                String name = e.getName().substring(0, e.getName().length() - 6).replace('/', '.');
                readMethods(name, cls, methods);
            }
        }
        return new CompiledCode(methods, total, stopsComplete, interruptOnly);
    }

    /** The largest method, or null if there is none. */
    Method largest() {
        Method best = null;
        for (Method m : methods) {
            if (best == null || m.bytes() > best.bytes()) {
                best = m;
            }
        }
        return best;
    }

    /** Methods with more than {@code limit} bytes of bytecode, largest first. */
    List<Method> above(int limit) {
        List<Method> out = new ArrayList<>();
        for (Method m : methods) {
            if (m.bytes() > limit) {
                out.add(m);
            }
        }
        out.sort((a, b) -> Integer.compare(b.bytes(), a.bytes()));
        return out;
    }

    /** A readable name: {@code func_12} becomes the wasm function's name. */
    static String describe(Method m, IntFunction<String> functionName) {
        if (m.function() >= 0) {
            return functionName.apply(m.function());
        }
        String simple = m.className().substring(m.className().lastIndexOf('.') + 1);
        return simple + "." + m.name() + " (Chicory's own)";
    }

    static void readMethods(String className, byte[] b, List<Method> out) throws IOException {
        var in = new DataInputStream(new ByteArrayInputStream(b));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file: " + className);
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1:
                    utf8[i] = in.readUTF();
                    break;
                case 3: case 4:
                    in.readInt();
                    break;
                case 5: case 6:
                    in.readLong();
                    i++; // takes two entries
                    break;
                case 7: case 8: case 16: case 19: case 20:
                    in.readUnsignedShort();
                    break;
                case 9: case 10: case 11: case 12: case 17: case 18:
                    in.readInt();
                    break;
                case 15:
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                    break;
                default:
                    throw new IOException("unknown constant pool tag " + tag + " in " + className);
            }
        }
        in.readUnsignedShort(); // access
        in.readUnsignedShort(); // this
        in.readUnsignedShort(); // super
        int interfaces = in.readUnsignedShort();
        in.skipBytes(2 * interfaces);
        int fields = in.readUnsignedShort();
        for (int i = 0; i < fields; i++) {
            in.skipBytes(6);
            skipAttributes(in);
        }
        int methods = in.readUnsignedShort();
        for (int i = 0; i < methods; i++) {
            in.readUnsignedShort();
            String name = utf8[in.readUnsignedShort()];
            in.readUnsignedShort();
            int attributes = in.readUnsignedShort();
            for (int k = 0; k < attributes; k++) {
                String attribute = utf8[in.readUnsignedShort()];
                int length = in.readInt();
                if ("Code".equals(attribute)) {
                    in.readUnsignedShort(); // max stack
                    in.readUnsignedShort(); // max locals
                    int code = in.readInt();
                    in.skipBytes(length - 8);
                    out.add(new Method(className, name, code, functionIndex(name)));
                } else {
                    in.skipBytes(length);
                }
            }
        }
    }

    private static int functionIndex(String method) {
        if (method.startsWith("func_")) {
            try {
                return Integer.parseInt(method.substring(5));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        for (int i = 0; i < count; i++) {
            in.readUnsignedShort();
            in.skipBytes(in.readInt());
        }
    }
}
