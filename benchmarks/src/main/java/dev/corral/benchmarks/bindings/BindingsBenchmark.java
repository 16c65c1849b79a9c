package dev.corral.benchmarks.bindings;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.corral.Corral;
import dev.corral.ExecutionMode;
import dev.corral.PluginFunction;
import dev.corral.PluginPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Typed bindings vs hand-written raw Chicory host functions, compiled mode, same wasm. The guest
 * loops {@value #CALLS} host calls per invocation, so scores are per host call. Targets (issue 5):
 * typed primitive call ≤ 1.1x raw; typed 32-byte String ≤ 1.5x raw {@code readString}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BindingsBenchmark {
    static final int CALLS = 1000;
    static final String NAME = "0123456789abcdef0123456789abcdef"; // 32 bytes

    private Corral corral;
    private PluginFunction typedAdd;
    private PluginFunction typedAddMetered;
    private PluginFunction typedAddMeteredTimed;
    private PluginFunction typedConsume;
    private PluginFunction typedPeek;
    private PluginFunction typedPeekBytes;
    private PluginFunction spiAdd;
    private BenchGreeter greeter;
    private ExportFunction rawAdd;
    private ExportFunction rawInlineAdd;
    private ExportFunction rawConsume;

    private static byte[] wasm() throws IOException {
        try (InputStream in = BindingsBenchmark.class.getResourceAsStream("/wasm/bindings_bench.wasm")) {
            return in.readAllBytes();
        }
    }

    @Setup
    public void setup() throws IOException {
        byte[] wasm = wasm();
        corral = Corral.builder().executionMode(ExecutionMode.COMPILED).build();
        var plugin = corral.load(wasm).instantiate(PluginPolicy.builder().hostModule(new BenchHost_CorralHost(new BenchHost())).build());
        typedAdd = plugin.function("add_loop");
        // the same host call under fuel, and under fuel and a timeout (issue 15, item 6: <= 2x typedAdd)
        typedAddMetered = corral.load(wasm).instantiate(PluginPolicy.builder()
                .hostModule(new BenchHost_CorralHost(new BenchHost())).fuel(Long.MAX_VALUE / 4).build()).function("add_loop");
        typedAddMeteredTimed = corral.load(wasm).instantiate(PluginPolicy.builder()
                .hostModule(new BenchHost_CorralHost(new BenchHost())).fuel(Long.MAX_VALUE / 4)
                .timeout(java.time.Duration.ofSeconds(10)).build()).function("add_loop");
        if (typedAddMetered.callRaw(CALLS)[0] != typedAdd.callRaw(CALLS)[0]) {
            throw new IllegalStateException("metered add_loop disagrees");
        }
        typedConsume = plugin.function("consume_loop");
        typedPeek = plugin.function("peek_loop");
        typedPeekBytes = plugin.function("peek_bytes_loop");
        greeter = plugin.as(BenchGreeter.class);
        // the same import through Corral's SPI by hand: separates core's host-call cost from the binding's
        var sig = dev.corral.FunctionSignature.of(List.of(dev.corral.ValueType.I32, dev.corral.ValueType.I32), List.of(dev.corral.ValueType.I32));
        var spi = dev.corral.spi.HostModuleDef.of("bench", List.of(
                dev.corral.spi.HostFunctionDef.of("bench", "add", sig, (ctx, a) -> new long[] {(int) a[0] + (int) a[1]}),
                dev.corral.spi.HostFunctionDef.of("bench", "consume", sig, (ctx, a) -> new long[] {a[1]}),
                dev.corral.spi.HostFunctionDef.of("bench", "peek", sig, (ctx, a) -> new long[] {0}),
                dev.corral.spi.HostFunctionDef.of("bench", "peek_bytes", sig, (ctx, a) -> new long[] {0})));
        spiAdd = corral.load(wasm).instantiate(PluginPolicy.builder().hostModule(spi).build()).function("add_loop");

        var module = Parser.parse(wasm);
        var i32 = ValType.I32;
        var type = FunctionType.of(List.of(i32, i32), List.of(i32));
        // what a raw Chicory user writes for the same host API: a handle calling the host object
        var host = new BenchHost();
        var add = new HostFunction("bench", "add", type, (inst, args) -> new long[] {host.add((int) args[0], (int) args[1])});
        var consume = new HostFunction("bench", "consume", type,
                (inst, args) -> new long[] {host.consume(inst.memory().readString((int) args[0], (int) args[1]))});
        rawAdd = rawInstance(module, add, consume).export("add_loop");
        rawConsume = rawInstance(module, add, consume).export("consume_loop");
        // the floor: no host object at all, the arithmetic inlined into a non-capturing lambda
        var inlineAdd = new HostFunction("bench", "add", type, (inst, args) -> new long[] {(int) args[0] + (int) args[1]});
        rawInlineAdd = rawInstance(module, inlineAdd, consume).export("add_loop");
    }

    private static Instance rawInstance(com.dylibso.chicory.wasm.WasmModule module, HostFunction add, HostFunction consume) {
        var type = add.functionType();
        var unused = new HostFunction("bench", "peek", type, (inst, args) -> new long[] {0});
        var unusedBytes = new HostFunction("bench", "peek_bytes", type, (inst, args) -> new long[] {0});
        return Instance.builder(module)
                .withImportValues(ImportValues.builder().addFunction(add, consume, unused, unusedBytes).build())
                .withMachineFactory(MachineFactoryCompiler.compile(module))
                .build();
    }

    @TearDown
    public void tearDown() {
        corral.close();
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallPrimitivesTyped() {
        return typedAdd.callRaw(CALLS)[0];
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallPrimitivesTypedMetered() {
        return typedAddMetered.callRaw(CALLS)[0];
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallPrimitivesTypedMeteredTimed() {
        return typedAddMeteredTimed.callRaw(CALLS)[0];
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallPrimitivesCorralSpi() {
        return spiAdd.callRaw(CALLS)[0];
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallPrimitivesRawChicory() {
        return rawAdd.apply(CALLS)[0];
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallPrimitivesRawChicoryInline() {
        return rawInlineAdd.apply(CALLS)[0];
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallString32Typed() {
        return typedConsume.callRaw(CALLS)[0];
    }

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallString32RawChicory() {
        return rawConsume.apply(CALLS)[0];
    }

    /** A 16 KiB guest range as a ByteBuffer: a view, so the cost does not grow with the length. */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallBuffer16kView() {
        return typedPeek.callRaw(CALLS)[0];
    }

    /** The same range as a byte[]: copied out of the guest on every call. */
    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long hostCallBuffer16kBytes() {
        return typedPeekBytes.callRaw(CALLS)[0];
    }

    /** Host → guest: allocate + write the argument, call, read + free the result, free the argument. */
    @Benchmark
    public String guestInterfaceStringInOut() {
        return greeter.greet(NAME);
    }
}
