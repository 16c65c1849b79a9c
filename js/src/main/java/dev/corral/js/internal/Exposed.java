package dev.corral.js.internal;

import dev.corral.spi.HostContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A host API interface offered to JavaScript as a global object: one function per method, under
 * the method's Java name ({@code game.creatureCount()}). The interface is read once, when a
 * plugin is built; each call then goes through a {@link MethodHandle} bound to the implementation
 * (no {@code Method.invoke}, no proxy).
 *
 * <p>Why not the bindings the annotation processor generates for wasm guests: those marshal
 * strings through a guest's (ptr, len) pairs and allocator, and core offers no public way to
 * call a bound host function from Java. A JavaScript value needs its own conversion anyway
 * (a number is checked for being an integer, a string is read from the engine), so this class
 * does that conversion and calls the implementation directly.
 */
public final class Exposed {
    /** How one parameter or result crosses. */
    public enum Kind {
        INT("an integer in the 32-bit range"),
        LONG("an integer in the safe range (|n| <= 2^53 - 1)"),
        FLOAT("a number"),
        DOUBLE("a number"),
        BOOLEAN("a boolean"),
        STRING("a string"),
        /** The calling plugin, not passed by JavaScript. */
        CONTEXT(""),
        VOID("");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }

        static Kind of(Class<?> c, boolean result, Method m) {
            if (c == int.class) return INT;
            if (c == long.class) return LONG;
            if (c == float.class) return FLOAT;
            if (c == double.class) return DOUBLE;
            if (c == boolean.class) return BOOLEAN;
            if (c == String.class) return STRING;
            if (c == HostContext.class && !result) return CONTEXT;
            if (c == void.class && result) return VOID;
            throw new IllegalArgumentException("cannot expose " + m.getDeclaringClass().getName() + "." + m.getName()
                    + " to JavaScript: " + (result ? "result" : "parameter") + " type " + c.getTypeName()
                    + " is not supported (int, long, float, double, boolean, String, void, and one HostContext parameter)");
        }
    }

    /** One exposed function. */
    public record Function(String qualified, String jsName, Kind[] params, int jsArity, Kind result, MethodHandle handle) {}

    private final String name;
    private final List<Function> functions;

    private Exposed(String name, List<Function> functions) {
        this.name = name;
        this.functions = functions;
    }

    public String name() {
        return name;
    }

    public List<Function> functions() {
        return functions;
    }

    /**
     * Reads {@code api} (an interface) and binds its methods to {@code impl}.
     *
     * @throws IllegalArgumentException for a name that is not a JavaScript identifier, a class
     *     instead of an interface, overloaded methods, or unsupported types
     */
    public static <T> Exposed of(String name, Class<T> api, T impl) {
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a JavaScript identifier, so it cannot name a global object");
        }
        if (!api.isInterface()) {
            throw new IllegalArgumentException(api.getName() + " is a class: expose an interface, so that exactly its methods"
                    + " (and no other public method of the implementation) become callable from JavaScript");
        }
        if (!api.isInstance(impl)) {
            throw new IllegalArgumentException("the implementation " + impl.getClass().getName() + " does not implement " + api.getName());
        }
        Method[] methods = api.getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        var out = new ArrayList<Function>();
        var lookup = MethodHandles.publicLookup();
        String previous = null;
        for (Method m : methods) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (m.getName().equals(previous)) {
                throw new IllegalArgumentException("cannot expose " + api.getName() + " to JavaScript: method " + m.getName()
                        + " is overloaded, and a JavaScript function has one name");
            }
            previous = m.getName();
            Class<?>[] types = m.getParameterTypes();
            Kind[] params = new Kind[types.length];
            int arity = 0;
            boolean context = false;
            for (int i = 0; i < types.length; i++) {
                params[i] = Kind.of(types[i], false, m);
                if (params[i] == Kind.CONTEXT) {
                    if (context) {
                        throw new IllegalArgumentException("cannot expose " + api.getName() + "." + m.getName()
                                + ": two HostContext parameters");
                    }
                    context = true;
                } else {
                    arity++;
                }
            }
            Kind result = Kind.of(m.getReturnType(), true, m);
            MethodHandle h;
            try {
                h = lookup.unreflect(m).bindTo(impl)
                        .asSpreader(Object[].class, types.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot expose " + api.getName() + "." + m.getName() + ": " + e.getMessage()
                        + " (a named module must export the interface's package)", e);
            }
            out.add(new Function(name + "." + m.getName(), m.getName(), params, arity, result, h));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(api.getName() + " has no methods to expose");
        }
        return new Exposed(name, List.copyOf(out));
    }

    static boolean isIdentifier(String s) {
        if (s == null || s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0)) || s.indexOf('.') >= 0) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!Character.isJavaIdentifierPart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
