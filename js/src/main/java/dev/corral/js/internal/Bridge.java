package dev.corral.js.internal;

import dev.corral.CorralException;
import dev.corral.FunctionSignature;
import dev.corral.GuestMemoryException;
import dev.corral.PluginFunction;
import dev.corral.ValueType;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The six {@code env} imports quickjs-wasi needs, for one plugin. The one that matters is
 * {@code host_call}: QuickJS calls it whenever the script calls a host function (an exposed API
 * method or {@code console.*}); it converts the JavaScript arguments, calls Java, and hands back a
 * JavaScript value, or throws a JavaScript error into the script. The others are inert: no
 * interrupt (fuel and deadlines stop loops), no module loading, UTC, no rejection tracking.
 */
public final class Bridge {
    private static final ValueType I32 = ValueType.I32;
    private static final Level[] LEVELS = {Level.DEBUG, Level.INFO, Level.INFO, Level.WARNING, Level.ERROR};
    private static final String[] CONSOLE = {"debug", "log", "info", "warn", "error"};

    private final String pluginName;
    private final List<Exposed> exposed;
    private final BiConsumer<Level, String> console;
    /** host function name (as QuickJS passes it to host_call) -> target; index = raw array slot */
    private final Map<String, Target> targets = new HashMap<>();
    private final List<String> rawNames = new ArrayList<>();
    private QuickJs q;
    private int typeErrorCtor;
    private int errorCtor;
    private int showFn;
    private HostContext context;

    public Bridge(String pluginName, List<Exposed> exposed, BiConsumer<Level, String> console) {
        this.pluginName = pluginName;
        this.exposed = exposed;
        this.console = console;
        for (Exposed e : exposed) {
            for (Exposed.Function f : e.functions()) {
                targets.put(f.qualified(), new Target(f, -1));
                rawNames.add(f.qualified());
            }
        }
        for (int i = 0; i < CONSOLE.length; i++) {
            String n = "console." + CONSOLE[i];
            targets.put(n, new Target(null, i));
            rawNames.add(n);
        }
    }

    void attach(QuickJs q) {
        this.q = q;
    }

    void helpers(int typeErrorCtor, int errorCtor, int showFn) {
        this.typeErrorCtor = typeErrorCtor;
        this.errorCtor = errorCtor;
        this.showFn = showFn;
    }

    /** Raw host function names in the order the prelude receives them. */
    List<String> rawNames() {
        return rawNames;
    }

    int arity(String rawName) {
        Target t = targets.get(rawName);
        return t.function == null ? 1 : t.function.jsArity();
    }

    /** The prelude's description of the host objects and console: indices into the raw array. */
    String spec() {
        var objects = new java.util.LinkedHashMap<String, Object>();
        for (Exposed e : exposed) {
            var fns = new ArrayList<Object>();
            for (Exposed.Function f : e.functions()) {
                fns.add(List.of(f.jsName(), rawNames.indexOf(f.qualified())));
            }
            objects.put(e.name(), fns);
        }
        var consoleSlots = new ArrayList<Object>();
        for (String c : CONSOLE) {
            consoleSlots.add(rawNames.indexOf("console." + c));
        }
        return Json.write(Map.of("objects", objects, "console", consoleSlots));
    }

    public HostModuleDef module() {
        var sig5 = FunctionSignature.of(List.of(I32, I32, I32, I32, I32), List.of(I32));
        return HostModuleDef.of("env", List.of(
                HostFunctionDef.bound("env", "host_call", sig5, HostCall::new),
                HostFunctionDef.of("env", "host_interrupt", FunctionSignature.of(List.of(), List.of(I32)),
                        (ctx, a) -> new long[] {0}),
                HostFunctionDef.of("env", "host_promise_rejection", FunctionSignature.of(List.of(I32, I32, I32), List.of()),
                        (ctx, a) -> {
                            // only called when a tracker is enabled, which corral-js never does; free what it hands over
                            q.freeValue((int) a[0]);
                            q.freeValue((int) a[1]);
                            return new long[0];
                        }),
                HostFunctionDef.of("env", "host_module_normalize", FunctionSignature.of(List.of(I32, I32), List.of(I32)),
                        (ctx, a) -> new long[] {0}),
                HostFunctionDef.of("env", "host_module_load", FunctionSignature.of(List.of(I32, I32), List.of(I32)),
                        (ctx, a) -> new long[] {0}),
                HostFunctionDef.of("env", "host_get_timezone_offset", FunctionSignature.of(List.of(I32, I32), List.of(I32)),
                        (ctx, a) -> new long[] {0})));
    }

    private final class HostCall extends HostFunctionDef.Bound {
        HostCall(HostContext plugin) {
            super(plugin);
        }

        @Override
        protected long[] call(long[] a) {
            if (context == null) {
                context = new NamedContext(context(), pluginName);
            }
            return new long[] {dispatch((int) a[0], (int) a[1], (int) a[3], (int) a[4])};
        }

        @Override
        protected int resultCount() {
            return 1;
        }
    }

    /** One host call from the script: a JSValue* result, or 0 after throwing into the script. */
    private int dispatch(int namePtr, int nameLen, int argc, int argvPtr) {
        GuestMemory mem = q.memory();
        String name = mem.readString(namePtr, nameLen);
        Target t = targets.get(name);
        if (t == null) {
            return throwError(errorCtor, "no host function '" + name + "'");
        }
        int[] argv = new int[Math.max(0, argc)];
        for (int i = 0; i < argv.length; i++) {
            argv[i] = mem.readInt(argvPtr + 4 * i);
        }
        try {
            return t.function == null ? console(t.consoleLevel, argv) : invoke(t.function, argv);
        } catch (ScriptError e) {
            return throwError(e.type ? typeErrorCtor : errorCtor, e.getMessage());
        } catch (QuickJs.OutOfEngineMemory e) {
            return throwError(errorCtor, name + ": " + e.getMessage());
        } catch (GuestMemoryException e) {
            // a string the host could not read or write: the script's problem, not the sandbox's
            return throwError(typeErrorCtor, name + ": " + e.getMessage());
        } catch (CorralException e) {
            throw e; // fuel, deadline, traps of nested calls: the whole call ends
        } catch (Throwable e) {
            if (e instanceof Error) {
                throw (Error) e;
            }
            // the host implementation failed: the script sees an Error it may catch
            String m = e.getMessage();
            return throwError(errorCtor, name + ": " + e.getClass().getSimpleName() + (m == null ? "" : ": " + m));
        }
    }

    private int invoke(Exposed.Function f, int[] argv) throws Throwable {
        if (argv.length != f.jsArity()) {
            throw new ScriptError(true, f.qualified() + " takes " + f.jsArity() + " argument" + (f.jsArity() == 1 ? "" : "s")
                    + ", got " + argv.length);
        }
        Exposed.Kind[] kinds = f.params();
        Object[] args = new Object[kinds.length];
        int js = 0;
        for (int i = 0; i < kinds.length; i++) {
            Exposed.Kind k = kinds[i];
            if (k == Exposed.Kind.CONTEXT) {
                args[i] = context;
                continue;
            }
            int v = argv[js++];
            args[i] = argument(f, js, k, v);
        }
        Object r = (Object) f.handle().invokeExact(args);
        switch (f.result()) {
            case VOID: return q.undefinedValue();
            case INT: return q.newNumber((Integer) r);
            case LONG: return q.newNumber((Long) r);
            case FLOAT: return q.newNumber((Float) r);
            case DOUBLE: return q.newNumber((Double) r);
            case BOOLEAN: return q.newBoolean((Boolean) r);
            case STRING:
                if (r == null) {
                    return q.nullValue();
                }
                return q.newString((String) r);
            default: throw new IllegalStateException(f.result().toString());
        }
    }

    private Object argument(Exposed.Function f, int position, Exposed.Kind k, int v) {
        switch (k) {
            case INT: {
                double d = numberArgument(f, position, k, v);
                if (d != (int) d) {
                    throw mismatch(f, position, k, v);
                }
                return (int) d;
            }
            case LONG: {
                double d = numberArgument(f, position, k, v);
                if (d != Math.rint(d) || Math.abs(d) > 9007199254740991.0) {
                    throw mismatch(f, position, k, v);
                }
                return (long) d;
            }
            case FLOAT: return (float) numberArgument(f, position, k, v);
            case DOUBLE: return numberArgument(f, position, k, v);
            case BOOLEAN:
                if (q.isBool.callRaw(v)[0] == 0) {
                    throw mismatch(f, position, k, v);
                }
                return q.bool(v);
            case STRING:
                if (q.isString.callRaw(v)[0] == 0) {
                    throw mismatch(f, position, k, v);
                }
                return q.string(v);
            default: throw new IllegalStateException(k.toString());
        }
    }

    private double numberArgument(Exposed.Function f, int position, Exposed.Kind k, int v) {
        if (q.isNumber.callRaw(v)[0] == 0) {
            throw mismatch(f, position, k, v);
        }
        return q.number(v);
    }

    private ScriptError mismatch(Exposed.Function f, int position, Exposed.Kind k, int v) {
        String got = show(v);
        if (got.length() > 60) {
            got = got.substring(0, 60) + "…";
        }
        if (q.isString.callRaw(v)[0] != 0) {
            got = Json.write(got);
        }
        return new ScriptError(true, f.qualified() + ": argument " + position + " must be " + k.expected + ", got " + got);
    }

    private int console(int level, int[] argv) {
        var sb = new StringBuilder();
        for (int i = 0; i < argv.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(show(argv[i]));
            if (sb.length() > 8192) {
                sb.setLength(8192);
                sb.append('…');
                break;
            }
        }
        console.accept(LEVELS[level], sb.toString());
        return q.undefinedValue();
    }

    /** A value as text, like console.log shows it; strings without a call into the script. */
    private String show(int v) {
        if (q.isString.callRaw(v)[0] != 0) {
            String s = q.string(v);
            return s == null ? "" : s;
        }
        int r = q.call(showFn, q.undefinedHandle(), v);
        if (q.isException(r)) {
            q.freeValue(r);
            q.freeValue((int) q.getException.callRaw()[0]);
            return "[value]";
        }
        try {
            String s = q.string(r);
            return s == null ? "" : s;
        } finally {
            q.freeValue(r);
        }
    }

    /** Throws {@code new ctor(message)} into the script; returns the NULL the trampoline expects. */
    private int throwError(int ctor, String message) {
        int msg = q.newString(message);
        int err = q.call(ctor, q.undefinedHandle(), msg);
        q.freeValue(msg);
        if (q.isException(err)) {
            // could not even build the error (out of memory): that exception is already pending
            q.freeValue(err);
            return 0;
        }
        int marker = (int) q.throwValue.callRaw(err)[0];
        q.freeValue(marker);
        q.freeValue(err);
        return 0;
    }

    /** A host-side reason to throw into the script (TypeError or Error). */
    private static final class ScriptError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean type;

        ScriptError(boolean type, String message) {
            super(message, null, false, false);
            this.type = type;
        }
    }

    private record Target(Exposed.Function function, int consoleLevel) {}

    /** The calling plugin as host functions see it, named after the JavaScript plugin. */
    private static final class NamedContext implements HostContext {
        private final HostContext delegate;
        private final String name;

        NamedContext(HostContext delegate, String name) {
            this.delegate = delegate;
            this.name = name;
        }

        @Override
        public String pluginName() {
            return name;
        }

        @Override
        public GuestMemory memory() {
            return delegate.memory();
        }

        @Override
        public PluginFunction function(String export) {
            return delegate.function(export);
        }

        @Override
        public long nanosLeft() {
            return delegate.nanosLeft();
        }

        @Override
        public void checkDeadline() {
            delegate.checkDeadline();
        }
    }
}
