package dev.corral.benchmarks.big;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.Corral;
import dev.corral.FunctionSignature;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * QuickJS-NG (npm {@code quickjs-wasi} 3.6.2, installed by the build, see benchmarks/quickjs) driven
 * the way its JavaScript wrapper drives it: {@code _initialize}, {@code qjs_init}, then source
 * strings written into guest memory and passed to {@code qjs_eval}, the result read as a number.
 * The six {@code env.host_*} imports answer 0 ({@code host_interrupt}: never interrupt); WASI is
 * Corral's deny-by-default stub on one side and equivalent zero stubs on the other.
 */
final class QuickJs {
    private QuickJs() {}

    static byte[] wasm() {
        try (InputStream in = QuickJs.class.getResourceAsStream("/wasm/quickjs.wasm")) {
            if (in == null) {
                throw new IllegalStateException("quickjs.wasm missing: the build installs npm quickjs-wasi (benchmarks/quickjs)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One engine instance, behind whichever runtime. */
    interface Vm {
        long call(String export, long... args);

        void write(int ptr, byte[] bytes);

        /** Evaluates {@code source} and returns its value as a number. */
        default double eval(String source) {
            byte[] code = source.getBytes(StandardCharsets.UTF_8);
            int p = (int) call("wasm_malloc", code.length + 1);
            write(p, java.util.Arrays.copyOf(code, code.length + 1));
            int name = (int) call("wasm_malloc", 8);
            write(name, "<eval>\0".getBytes(StandardCharsets.US_ASCII));
            long handle = call("qjs_eval", p, code.length, name, 0);
            call("wasm_free", p);
            call("wasm_free", name);
            double d = Double.longBitsToDouble(call("qjs_get_float64", handle));
            call("qjs_free_value", handle);
            return d;
        }

        /** {@code _initialize} unless the runtime ran it (Corral runs a reactor's at instantiation), then {@code qjs_init}. */
        default Vm init(boolean initializeReactor) {
            if (initializeReactor) {
                call("_initialize");
            }
            if (call("qjs_init") != 0) {
                throw new IllegalStateException("qjs_init failed");
            }
            return this;
        }
    }

    /** Stubs for the module's env imports, typed from the module itself. */
    static HostModuleDef hostStubs(WasmModule m) {
        List<HostFunctionDef> fns = new ArrayList<>();
        for (int i = 0; i < m.importSection().importCount(); i++) {
            if (!(m.importSection().getImport(i) instanceof FunctionImport) || !"env".equals(m.importSection().getImport(i).module())) {
                continue;
            }
            var im = (FunctionImport) m.importSection().getImport(i);
            var type = m.typeSection().getType(im.typeIndex());
            var sig = FunctionSignature.of(types(type.params()), types(type.returns()));
            int results = type.returns().size();
            fns.add(HostFunctionDef.of("env", im.name(), sig, (ctx, args) -> new long[results]));
        }
        return HostModuleDef.of("env", fns);
    }

    private static List<ValueType> types(List<ValType> in) {
        List<ValueType> out = new ArrayList<>();
        for (ValType t : in) {
            out.add(t.equals(ValType.I64) ? ValueType.I64 : t.equals(ValType.F64) ? ValueType.F64 : t.equals(ValType.F32) ? ValueType.F32 : ValueType.I32);
        }
        return out;
    }

    static Vm corral(PluginModule module, WasmModule parsed, PluginPolicy.Builder policy) {
        Plugin p = module.instantiate(policy.hostModule(hostStubs(parsed)).maxMemory(256 << 20).build());
        return new Vm() {
            @Override
            public long call(String export, long... args) {
                long[] r = p.function(export).callRaw(args);
                return r.length == 0 ? 0 : r[0];
            }

            @Override
            public void write(int ptr, byte[] bytes) {
                p.memory().write(ptr, bytes);
            }
        }.init(false);
    }

    /** Raw Chicory as a user would set it up: parse, compile once (functions too large fall back silently). */
    static Vm chicory(byte[] wasm) {
        WasmModule m = Parser.parse(wasm);
        List<ImportFunction> imports = new ArrayList<>();
        for (int i = 0; i < m.importSection().importCount(); i++) {
            var im = (FunctionImport) m.importSection().getImport(i);
            var type = m.typeSection().getType(im.typeIndex());
            int results = type.returns().size();
            imports.add(new HostFunction(im.module(), im.name(), type, (inst, args) -> results == 0 ? null : new long[results]));
        }
        Instance inst = Instance.builder(m).withImportValues(ImportValues.builder().withFunctions(imports).build())
                .withMachineFactory(MachineFactoryCompiler.builder(m).withInterpreterFallback(InterpreterFallback.SILENT).compile())
                .build();
        return new Vm() {
            @Override
            public long call(String export, long... args) {
                long[] r = inst.export(export).apply(args);
                return r == null || r.length == 0 ? 0 : r[0];
            }

            @Override
            public void write(int ptr, byte[] bytes) {
                inst.memory().write(ptr, bytes);
            }
        }.init(true);
    }

    static Corral engine() {
        return Corral.create();
    }
}
