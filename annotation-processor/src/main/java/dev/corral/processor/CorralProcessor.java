package dev.corral.processor;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Generates, per {@code @HostModule} type, {@code <Name>_CorralHost} (a dev.corral.spi.HostModuleDef
 * with all marshalling inlined) and guest-side declarations (C header, Rust module, AssemblyScript
 * module); per {@code @GuestInterface}, {@code <Name>_CorralGuest} for {@code plugin.as(Name.class)}.
 *
 * <p>Annotations are matched by name so the processor has no dependencies. Guest declarations go
 * to the directory of option {@code corral.guest.dir}, else to
 * {@code target/generated-resources/corral-guest} when the source output is Maven's
 * {@code target/generated-sources/annotations}, and always into the class output under
 * {@code META-INF/corral-guest/} (so they ship in the jar).
 */
public final class CorralProcessor extends AbstractProcessor {
    static final String HOST_MODULE = "dev.corral.bindings.HostModule";
    static final String HOST_FUNCTION = "dev.corral.bindings.HostFunction";
    static final String GUEST_INTERFACE = "dev.corral.bindings.GuestInterface";
    static final String GUEST_FUNCTION = "dev.corral.bindings.GuestFunction";
    static final String GUEST_DIR_OPTION = "corral.guest.dir";
    static final String HOST_SUFFIX = "_CorralHost";
    static final String GUEST_SUFFIX = "_CorralGuest";

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of(HOST_MODULE, GUEST_INTERFACE, HOST_FUNCTION, GUEST_FUNCTION);
    }

    @Override
    public Set<String> getSupportedOptions() {
        return Set.of(GUEST_DIR_OPTION);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (TypeElement a : annotations) {
            String name = a.getQualifiedName().toString();
            for (Element e : round.getElementsAnnotatedWith(a)) {
                switch (name) {
                    case HOST_MODULE -> hostModule(e);
                    case GUEST_INTERFACE -> guestInterface(e);
                    case HOST_FUNCTION -> checkEnclosedBy(e, HOST_MODULE, "@HostFunction", "@HostModule");
                    case GUEST_FUNCTION -> checkEnclosedBy(e, GUEST_INTERFACE, "@GuestFunction", "@GuestInterface");
                    default -> { }
                }
            }
        }
        return true;
    }

    // ---- reading ----

    private void hostModule(Element e) {
        if (!(e.getKind() == ElementKind.CLASS || e.getKind() == ElementKind.INTERFACE)) {
            error(e, "@HostModule goes on a class or interface, not on " + e.getKind().toString().toLowerCase());
            return;
        }
        TypeElement type = (TypeElement) e;
        String module = stringValue(annotation(type, HOST_MODULE).orElseThrow(), "value").orElse("");
        if (module.isEmpty()) {
            error(type, "@HostModule on " + type.getQualifiedName() + " needs a non-empty wasm module name");
            return;
        }
        if (!isValidWasmName(module)) {
            error(type, "@HostModule on " + type.getQualifiedName() + ": module name '" + module
                    + "' contains quotes, backslashes or control characters, which guest declarations cannot spell");
            return;
        }
        if (!checkTypeAccessible(type, "@HostModule")) {
            return;
        }
        boolean ok = true;
        List<Model.Method> methods = new ArrayList<>();
        Map<String, ExecutableElement> byName = new LinkedHashMap<>();
        for (ExecutableElement m : ElementFilter.methodsIn(type.getEnclosedElements())) {
            var ann = annotation(m, HOST_FUNCTION);
            if (ann.isEmpty()) {
                continue;
            }
            String wasm = stringValue(ann.get(), "value").filter(s -> !s.isEmpty())
                    .orElse(Model.snakeCase(m.getSimpleName().toString()));
            var method = method(type, m, wasm, true, "host function");
            if (method == null) {
                ok = false;
                continue;
            }
            var previous = byName.putIfAbsent(wasm, m);
            if (previous != null) {
                error(m, "duplicate host function name '" + wasm + "': " + describe(m) + " and " + describe(previous) + " of "
                        + type.getQualifiedName() + " both map to it; give one another name with @HostFunction(\"...\")");
                ok = false;
                continue;
            }
            methods.add(method);
        }
        if (!ok) {
            return;
        }
        if (methods.isEmpty()) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING,
                    "@HostModule " + type.getQualifiedName() + " has no @HostFunction methods: plugins can import nothing from it", type);
        }
        var model = model(type, module, HOST_SUFFIX, methods);
        write(model.generatedQualifiedName(), HostModuleWriter.write(model), type);
        writeGuestDeclarations(model);
    }

    private void guestInterface(Element e) {
        if (e.getKind() != ElementKind.INTERFACE) {
            error(e, "@GuestInterface goes on an interface; " + e + " is a " + e.getKind().toString().toLowerCase());
            return;
        }
        TypeElement type = (TypeElement) e;
        if (!checkTypeAccessible(type, "@GuestInterface")) {
            return;
        }
        if (!type.getTypeParameters().isEmpty()) {
            error(type, "@GuestInterface " + type.getQualifiedName() + " must not be generic");
            return;
        }
        boolean ok = true;
        List<Model.Method> methods = new ArrayList<>();
        Map<String, ExecutableElement> byName = new LinkedHashMap<>();
        for (ExecutableElement m : ElementFilter.methodsIn(processingEnv.getElementUtils().getAllMembers(type))) {
            if (!m.getModifiers().contains(Modifier.ABSTRACT)) {
                continue; // default, static and Object's methods are not exports
            }
            String wasm = annotation(m, GUEST_FUNCTION).flatMap(a -> stringValue(a, "value")).filter(s -> !s.isEmpty())
                    .orElse(Model.snakeCase(m.getSimpleName().toString()));
            var method = method(type, m, wasm, false, "guest function");
            if (method == null) {
                ok = false;
                continue;
            }
            var previous = byName.putIfAbsent(wasm, m);
            if (previous != null) {
                error(m, "duplicate export name '" + wasm + "': " + describe(m) + " and " + describe(previous) + " of "
                        + type.getQualifiedName() + " both call it; name one with @GuestFunction(\"...\")");
                ok = false;
                continue;
            }
            methods.add(method);
        }
        if (ok) {
            var model = model(type, "", GUEST_SUFFIX, methods);
            write(model.generatedQualifiedName(), GuestInterfaceWriter.write(model), type);
        }
    }

    private Model.Type model(TypeElement type, String module, String suffix, List<Model.Method> methods) {
        String pkg = processingEnv.getElementUtils().getPackageOf(type).getQualifiedName().toString();
        String binary = processingEnv.getElementUtils().getBinaryName(type).toString();
        String simple = (pkg.isEmpty() ? binary : binary.substring(pkg.length() + 1)).replace('$', '_') + suffix;
        return new Model.Type(type, pkg, type.getQualifiedName().toString(), simple, module, methods);
    }

    private boolean checkTypeAccessible(TypeElement type, String what) {
        for (Element t = type; t instanceof TypeElement; t = t.getEnclosingElement()) {
            if (t.getModifiers().contains(Modifier.PRIVATE)) {
                error(type, what + " " + type.getQualifiedName() + " must not be private: the generated binding lives next to it");
                return false;
            }
            if (((TypeElement) t).getNestingKind() == NestingKind.MEMBER && t.getKind() == ElementKind.CLASS
                    && !t.getModifiers().contains(Modifier.STATIC)) {
                error(type, what + " " + type.getQualifiedName() + " is an inner class: make it static");
                return false;
            }
            if (((TypeElement) t).getNestingKind() == NestingKind.LOCAL || ((TypeElement) t).getNestingKind() == NestingKind.ANONYMOUS) {
                error(type, what + " " + type.getQualifiedName() + " must be a top-level or member type");
                return false;
            }
        }
        if (what.equals("@GuestInterface")) {
            for (Element t = type; t instanceof TypeElement; t = t.getEnclosingElement()) {
                if (!t.getModifiers().contains(Modifier.PUBLIC)) {
                    error(type, "@GuestInterface " + type.getQualifiedName() + (t == type ? "" : " (through " + t + ")")
                            + " must be public: Corral instantiates its binding from plugin.as(...)");
                    return false;
                }
            }
        }
        return true;
    }

    /** The method's model, or null after reporting every reason it cannot be bound. */
    private Model.Method method(TypeElement owner, ExecutableElement m, String wasm, boolean host, String what) {
        String where = what + " " + describe(m) + " in " + owner.getQualifiedName();
        boolean ok = true;
        if (!m.getModifiers().contains(Modifier.PUBLIC)) {
            error(m, where + " must be public: the generated binding calls it directly");
            ok = false;
        }
        if (!m.getTypeParameters().isEmpty()) {
            error(m, where + " must not be generic: its wasm signature must be fixed");
            ok = false;
        }
        if (m.isVarArgs()) {
            error(m, where + " must not take varargs");
            ok = false;
        }
        boolean isStatic = m.getModifiers().contains(Modifier.STATIC);
        List<Model.Param> params = new ArrayList<>();
        boolean seenContext = false;
        for (VariableElement p : m.getParameters()) {
            Kind k = kindOf(p.asType());
            if (k == null || k == Kind.VOID) {
                error(p, where + ": parameter '" + p.getSimpleName() + "' has unsupported type " + p.asType() + "; supported: " + Kind.SUPPORTED);
                ok = false;
                continue;
            }
            if (k == Kind.CONTEXT) {
                if (!host) {
                    error(p, where + ": parameter '" + p.getSimpleName() + "' is a HostContext, which only host functions receive");
                    ok = false;
                    continue;
                }
                if (seenContext) {
                    error(p, where + ": takes more than one HostContext parameter");
                    ok = false;
                    continue;
                }
                seenContext = true;
            }
            params.add(new Model.Param(p.getSimpleName().toString(), k));
        }
        Kind result = kindOf(m.getReturnType());
        if (result == null || result == Kind.CONTEXT) {
            error(m, where + " returns unsupported type " + m.getReturnType() + "; supported: " + Kind.SUPPORTED);
            ok = false;
        }
        if (!isValidWasmName(wasm)) {
            error(m, where + ": wasm name '" + wasm + "' is empty or contains quotes, backslashes or control characters");
            ok = false;
        }
        return ok ? new Model.Method(m, m.getSimpleName().toString(), wasm, isStatic, params, result) : null;
    }

    private static boolean isValidWasmName(String s) {
        return !s.isEmpty() && s.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '"' || c == '\\');
    }

    private Kind kindOf(TypeMirror t) {
        switch (t.getKind()) {
            case INT: return Kind.INT;
            case LONG: return Kind.LONG;
            case FLOAT: return Kind.FLOAT;
            case DOUBLE: return Kind.DOUBLE;
            case BOOLEAN: return Kind.BOOLEAN;
            case VOID: return Kind.VOID;
            case ARRAY:
                return ((ArrayType) t).getComponentType().getKind() == TypeKind.BYTE ? Kind.BYTES : null;
            case DECLARED:
                String n = ((TypeElement) ((DeclaredType) t).asElement()).getQualifiedName().toString();
                switch (n) {
                    case "java.lang.String": return Kind.STRING;
                    case "java.nio.ByteBuffer": return Kind.BUFFER;
                    case "dev.corral.spi.HostContext": return Kind.CONTEXT;
                    default: return null;
                }
            default:
                return null;
        }
    }

    private void checkEnclosedBy(Element e, String owner, String what, String ownerWhat) {
        if (annotation(e.getEnclosingElement(), owner).isEmpty()) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING,
                    what + " on " + describe((ExecutableElement) e) + " has no effect: " + e.getEnclosingElement() + " is not annotated "
                            + ownerWhat, e);
        }
    }

    private static String describe(ExecutableElement m) {
        var sb = new StringBuilder(m.getSimpleName()).append('(');
        for (int i = 0; i < m.getParameters().size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(m.getParameters().get(i).asType());
        }
        return sb.append(')').toString();
    }

    private static Optional<? extends AnnotationMirror> annotation(Element e, String name) {
        return e.getAnnotationMirrors().stream()
                .filter(a -> ((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().contentEquals(name))
                .findFirst();
    }

    private static Optional<String> stringValue(AnnotationMirror a, String key) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> en : a.getElementValues().entrySet()) {
            if (en.getKey().getSimpleName().contentEquals(key)) {
                return Optional.of(String.valueOf(en.getValue().getValue()));
            }
        }
        return Optional.empty();
    }

    private void error(Element e, String message) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, e);
    }

    // ---- writing ----

    private void write(String qualifiedName, String source, TypeElement origin) {
        try (Writer w = processingEnv.getFiler().createSourceFile(qualifiedName, origin).openWriter()) {
            w.write(source);
        } catch (IOException e) {
            error(origin, "cannot write " + qualifiedName + ": " + e);
        }
    }

    private void writeGuestDeclarations(Model.Type model) {
        Map<String, String> files = GuestDeclarations.write(model);
        Path dir = guestDirectory();
        for (var f : files.entrySet()) {
            try {
                FileObject fo = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "",
                        "META-INF/corral-guest/" + f.getKey(), model.element());
                try (Writer w = fo.openWriter()) {
                    w.write(f.getValue());
                }
                if (dir != null) {
                    Files.createDirectories(dir);
                    Files.writeString(dir.resolve(f.getKey()), f.getValue());
                }
            } catch (IOException | RuntimeException e) {
                error(model.element(), "cannot write guest declarations " + f.getKey() + ": " + e);
            }
        }
    }

    private Path guestDirectory() {
        String option = processingEnv.getOptions().get(GUEST_DIR_OPTION);
        if (option != null && !option.isEmpty()) {
            return Path.of(option);
        }
        try {
            FileObject probe = processingEnv.getFiler().getResource(StandardLocation.SOURCE_OUTPUT, "", "corral-probe");
            if (!"file".equals(probe.toUri().getScheme())) {
                return null;
            }
            Path sources = Path.of(probe.toUri()).getParent();
            if (sources.endsWith(Path.of("generated-sources", "annotations")) || sources.endsWith(Path.of("generated-test-sources", "test-annotations"))) {
                return sources.getParent().getParent().resolve("generated-resources").resolve("corral-guest");
            }
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            // no file-system source output (e.g. in-memory compilation): the class output copy is enough
        }
        return null;
    }
}
