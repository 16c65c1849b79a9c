package dev.corral.benchmarks.big;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.corral.Corral;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.PluginPolicy;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Zstandard at level 3 on the same 1.6 MB of text (zstd's own library sources), three ways:
 * {@code corral}, the C library from Debian's source built to wasm (benchmarks/zstd/build.sh) in
 * Corral; {@code chicory}, the same module in raw Chicory (compiled, set up as Corral does);
 * {@code java}, aircompressor's pure-Java zstd (io.airlift:aircompressor, the codec in Java with
 * {@code Unsafe}). The wasm side pays what a host pays: the input copied into guest memory, the
 * output copied out. Decompression reads the same frame on all three sides (the C library's).
 * Every result is checked in the setup (sizes, round trips).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ZstdBenchmark {
    static final int LEVEL = 3; // aircompressor 0.27 compresses at zstd's default level, 3

    @Param({"corral", "chicory", "java"})
    public String runtime;

    private byte[] input;
    private byte[] frame;
    private Codec codec;
    private Corral corral;

    /** One codec behind whichever runtime; both methods return a fresh array with the result. */
    interface Codec {
        byte[] compress(byte[] src);

        byte[] decompress(byte[] frame, int size);
    }

    static byte[] resource(String name) {
        try (InputStream in = ZstdBenchmark.class.getResourceAsStream("/wasm/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing: the build makes it (benchmarks/zstd/build.sh)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Setup
    public void setup() {
        input = resource("zstd-input.bin");
        byte[] wasm = resource("zstd.wasm");
        switch (runtime) {
            case "corral":
                corral = Corral.create();
                codec = corral(corral, wasm, input.length);
                break;
            case "chicory":
                codec = chicory(wasm, input.length);
                break;
            case "java":
                codec = java();
                break;
            default:
                throw new IllegalArgumentException(runtime);
        }
        // the frame every side decompresses: the C library's, checked against aircompressor both ways
        frame = (runtime.equals("java") ? chicory(wasm, input.length) : codec).compress(input);
        byte[] own = codec.compress(input);
        check(Arrays.equals(java().decompress(own, input.length), input), "its frame does not decompress to the input");
        check(Arrays.equals(codec.decompress(frame, input.length), input), "the C frame does not decompress to the input");
        check(own.length < input.length / 3, "compressed only to " + own.length + " bytes");
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(runtime + ": " + what);
        }
    }

    @TearDown
    public void tearDown() {
        if (corral != null) {
            corral.close();
        }
    }

    @Benchmark
    public byte[] compress() {
        return codec.compress(input);
    }

    @Benchmark
    public byte[] decompress() {
        return codec.decompress(frame, input.length);
    }

    /*
     * The same work in a JVM told to inline past C2's per-compilation budget. Chicory turns every
     * wasm load and store into a call to a small static helper; in zstd's hot functions (4-5 KB of
     * bytecode, ~200 memory accesses each) C2 stops inlining them once DesiredMethodLimit (8,000
     * bytes, root method included) or NodeCountInliningCutoff is reached, and the rest stay real
     * calls: 55-75% of the wasm side's time (benchmarks/README.md, "A codec"). -XX:-ClipInlining
     * lifts the first limit, -XX:MaxTrivialSize=30 exempts the helpers (12-30 bytes) from the
     * second. Both are product flags a host can set; they apply to the whole JVM, so every side,
     * aircompressor's included, runs with them here.
     */
    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:-ClipInlining", "-XX:MaxTrivialSize=30"})
    public byte[] compressInlined() {
        return codec.compress(input);
    }

    @Benchmark
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:-ClipInlining", "-XX:MaxTrivialSize=30"})
    public byte[] decompressInlined() {
        return codec.decompress(frame, input.length);
    }

    /** The guest's buffers, allocated once by its own malloc: input, output, each as large as needed. */
    private static Codec corral(Corral corral, byte[] wasm, int size) {
        var module = corral.load(wasm);
        Plugin p = module.instantiate(PluginPolicy.builder().maxMemory(64L << 20).build());
        PluginFunction alloc = p.function("zstd_alloc");
        PluginFunction compress = p.function("zstd_compress");
        PluginFunction decompress = p.function("zstd_decompress");
        int bound = (int) p.function("zstd_bound").callRaw(size)[0];
        int src = (int) alloc.callRaw(bound)[0];
        int dst = (int) alloc.callRaw(bound)[0];
        return new Codec() {
            @Override
            public byte[] compress(byte[] in) {
                p.memory().write(src, in);
                int n = (int) compress.callRaw(dst, bound, src, in.length, LEVEL)[0];
                return p.memory().read(dst, n);
            }

            @Override
            public byte[] decompress(byte[] in, int expected) {
                p.memory().write(src, in);
                int n = (int) decompress.callRaw(dst, bound, src, in.length)[0];
                return p.memory().read(dst, n);
            }
        };
    }

    /** Raw Chicory as Corral sets it up: parse once, one compiled machine factory, its byte-array memory. */
    static Codec chicory(byte[] wasm, int size) {
        WasmModule m = Parser.parse(wasm);
        Instance inst = Instance.builder(m).withMachineFactory(MachineFactoryCompiler.builder(m).compile())
                .withMemoryFactory(ByteArrayMemory::new).build();
        ExportFunction alloc = inst.export("zstd_alloc");
        ExportFunction compress = inst.export("zstd_compress");
        ExportFunction decompress = inst.export("zstd_decompress");
        int bound = (int) inst.export("zstd_bound").apply(size)[0];
        int src = (int) alloc.apply(bound)[0];
        int dst = (int) alloc.apply(bound)[0];
        return new Codec() {
            @Override
            public byte[] compress(byte[] in) {
                inst.memory().write(src, in);
                int n = (int) compress.apply(dst, bound, src, in.length, LEVEL)[0];
                return inst.memory().readBytes(dst, n);
            }

            @Override
            public byte[] decompress(byte[] in, int expected) {
                inst.memory().write(src, in);
                int n = (int) decompress.apply(dst, bound, src, in.length)[0];
                return inst.memory().readBytes(dst, n);
            }
        };
    }

    /**
     * aircompressor: one compressor and decompressor, arrays in and out; like the wasm side, it
     * compresses into a buffer kept across calls and copies out the result.
     */
    static Codec java() {
        var compressor = new ZstdCompressor();
        var decompressor = new ZstdDecompressor();
        return new Codec() {
            private byte[] out = new byte[0];

            @Override
            public byte[] compress(byte[] in) {
                int bound = compressor.maxCompressedLength(in.length);
                if (out.length < bound) {
                    out = new byte[bound];
                }
                int n = compressor.compress(in, 0, in.length, out, 0, out.length);
                return Arrays.copyOf(out, n);
            }

            @Override
            public byte[] decompress(byte[] in, int expected) {
                byte[] out = new byte[expected];
                int n = decompressor.decompress(in, 0, in.length, out, 0, out.length);
                return n == expected ? out : Arrays.copyOf(out, n);
            }
        };
    }
}
