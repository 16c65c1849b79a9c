package dev.corral.benchmarks;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Function;

/** The benchmark module, loaded the Corral way and the raw Chicory way, in the same execution mode. */
final class Fixtures {
    static final String COMPILED = "compiled";
    static final String INTERPRETED = "interpreted";

    private Fixtures() {}

    static byte[] benchWasm() {
        try (InputStream in = Fixtures.class.getResourceAsStream("/wasm/bench.wasm")) {
            if (in == null) {
                throw new IllegalStateException("bench.wasm missing: the build compiles src/main/wat with wat2wasm");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ExecutionMode corralMode(String mode) {
        switch (mode) {
            case COMPILED: return ExecutionMode.COMPILED;
            case INTERPRETED: return ExecutionMode.INTERPRETED;
            default: throw new IllegalArgumentException("mode " + mode);
        }
    }

    static PluginModule corralModule(Corral corral, String mode) {
        return corral.loader().executionMode(corralMode(mode)).load(benchWasm());
    }

    /** Raw Chicory done right: parse once, one shared machine factory (compiled once), as Corral does. */
    static final class RawChicory {
        final WasmModule module;
        final Function<Instance, Machine> factory;

        RawChicory(String mode) {
            module = Parser.parse(benchWasm());
            factory = COMPILED.equals(mode) ? MachineFactoryCompiler.builder(module).compile() : InterpreterMachine::new;
        }

        Instance instantiate() {
            return Instance.builder(module)
                    .withMachineFactory(factory)
                    .withMemoryFactory(ByteArrayMemory::new)
                    .build();
        }
    }
}
