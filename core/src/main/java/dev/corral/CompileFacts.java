package dev.corral;

import java.time.Duration;
import java.util.List;

/**
 * What compiling a module produced, so a host can see whether a large module really runs at full
 * speed (see {@link PluginModule#compileFacts()}). In {@link ExecutionMode#COMPILED} every wasm
 * function becomes a JVM method; one whose method would exceed HotSpot's huge-method limit
 * (8,000 bytes of bytecode, above which the JIT never compiles it) is split into helpers first
 * (core/SPLITTING.md). Whatever still runs in Chicory's interpreter (~100x slower) or above the
 * limit is listed here, and logged once as a warning when the module loads.
 *
 * @param mode how the module runs; in {@link ExecutionMode#INTERPRETED} nothing is compiled and
 *     the counts below are zero
 * @param functions functions the module defines (imports not counted, helpers not counted)
 * @param compiledFunctions of those, how many run as JVM bytecode
 * @param interpretedFunctions names of the functions that run in Chicory's interpreter in
 *     compiled mode (too large for a JVM method and impossible to split)
 * @param splitFunctions names of the functions split into helpers
 * @param helperFunctions helpers the splitter added
 * @param largestMethod the largest generated JVM method: a wasm function's name, or one of the
 *     runtime's own methods (dispatch tables)
 * @param largestMethodBytes its bytecode size
 * @param aboveJitLimit wasm functions (or helpers, named after the function they came from) whose
 *     method has more than {@link #JIT_LIMIT} bytes of bytecode, largest first
 * @param runtimeAboveJitLimit the runtime's own generated methods above the limit: the dispatch
 *     table Chicory uses for calls from the host into a module of more than ~1,000 functions (it
 *     costs each host-to-guest call some nanoseconds, not the guest's own code)
 * @param compileTime time spent rewriting and compiling (short on a compile-cache hit)
 * @param classBytes total size of the generated classes
 * @param fromCache whether the compile cache answered, so nothing was rewritten or compiled
 */
public record CompileFacts(ExecutionMode mode, int functions, int compiledFunctions, List<String> interpretedFunctions,
        List<String> splitFunctions, int helperFunctions, String largestMethod, int largestMethodBytes,
        List<String> aboveJitLimit, List<String> runtimeAboveJitLimit, Duration compileTime, long classBytes,
        boolean fromCache) {
    /** HotSpot's default {@code HugeMethodLimit}: larger methods stay in the JVM's bytecode interpreter. */
    public static final int JIT_LIMIT = 8000;

    public CompileFacts {
        interpretedFunctions = List.copyOf(interpretedFunctions);
        splitFunctions = List.copyOf(splitFunctions);
        aboveJitLimit = List.copyOf(aboveJitLimit);
        runtimeAboveJitLimit = List.copyOf(runtimeAboveJitLimit);
    }

    /** True when every function runs compiled and every function's method can be JIT-compiled. */
    public boolean fullSpeed() {
        return mode == ExecutionMode.COMPILED && interpretedFunctions.isEmpty() && aboveJitLimit.isEmpty();
    }
}
