package dev.corral.internal;

import dev.corral.Plugin;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Finds the implementation the annotation processor generated for a {@code @GuestInterface}: the
 * class {@code <binary name with $ as _>_CorralGuest} in the interface's package, with a public
 * constructor taking a {@link Plugin}. Looked up once per interface (ClassValue), so
 * {@link Plugin#as} costs one constructor call; the generated methods call exports directly.
 */
public final class GuestInterfaces {
    /** Suffix of generated guest-interface implementations; the processor uses the same. */
    public static final String SUFFIX = "_CorralGuest";

    private static final ClassValue<Object> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            return find(type);
        }
    };

    private GuestInterfaces() {}

    public static <T> T bind(Plugin plugin, Class<T> type) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface; plugin.as(...) takes an @GuestInterface interface");
        }
        Object found = CONSTRUCTORS.get(type);
        if (found instanceof String) {
            throw new IllegalArgumentException((String) found);
        }
        try {
            return type.cast(((MethodHandle) found).invoke(plugin));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("generated binding of " + type.getName() + " failed: " + e, e);
        }
    }

    /** The constructor handle, or the reason there is none (cached either way). */
    private static Object find(Class<?> type) {
        String name = implementationName(type.getName());
        Class<?> impl;
        try {
            impl = Class.forName(name, true, type.getClassLoader());
        } catch (ClassNotFoundException e) {
            return "no generated binding " + name + " for " + type.getName()
                    + ": annotate the interface with @GuestInterface and compile it with corral-annotation-processor";
        }
        if (!type.isAssignableFrom(impl)) {
            return name + " does not implement " + type.getName();
        }
        try {
            return MethodHandles.publicLookup().findConstructor(impl, MethodType.methodType(void.class, Plugin.class));
        } catch (ReflectiveOperationException | IllegalAccessError e) {
            return "generated binding " + name + " has no public constructor (Plugin) accessible to Corral: " + e;
        }
    }

    /** {@code a.b.Outer$Greeter} becomes {@code a.b.Outer_Greeter_CorralGuest}. */
    public static String implementationName(String binaryName) {
        int dot = binaryName.lastIndexOf('.');
        return binaryName.substring(0, dot + 1) + binaryName.substring(dot + 1).replace('$', '_') + SUFFIX;
    }
}
