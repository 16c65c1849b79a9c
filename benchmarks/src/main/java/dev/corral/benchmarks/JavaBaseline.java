package dev.corral.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The same functions as bench.wat, in plain Java: the floor neither runtime can beat. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
public class JavaBaseline {
    int a = 7;
    int b = 35;
    int fibN = ComputeBenchmark.FIB_N;
    int loopN = ComputeBenchmark.LOOP_N;

    static int fib(int n) {
        return Integer.compareUnsigned(n, 2) < 0 ? n : fib(n - 1) + fib(n - 2);
    }

    /** bench.wat's loop: a do-while, as the wasm runs its body before testing. */
    static int loop(int n) {
        int i = 0;
        int acc = 0;
        do {
            acc = acc * 1664525 + i;
            i++;
        } while (Integer.compareUnsigned(i, n) < 0);
        return acc;
    }

    /** bench.wat's memory_traffic: words written little-endian into a byte array, read back as words and bytes. */
    static int memory(int n) {
        var m = java.nio.ByteBuffer.allocate(4 * 65536).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        do {
            m.putInt(i << 2, i * -1640531535);
            i++;
        } while (Integer.compareUnsigned(i, n) < 0);
        int acc = 0;
        i = 0;
        do {
            acc = (acc ^ m.getInt(i << 2)) + (m.get(i) & 0xff);
            i++;
        } while (Integer.compareUnsigned(i, n) < 0);
        return acc;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int javaAdd() {
        return a + b;
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int javaFib20() {
        return fib(fibN);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int javaLoop100k() {
        return loop(loopN);
    }
}
