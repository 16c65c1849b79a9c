package dev.corral;

import java.time.Duration;
import java.util.Objects;

/**
 * How big a module a loader accepts, and how long it may take to load. Loading untrusted bytes
 * costs heap and CPU in proportion to what the bytes declare (Chicory keeps every instruction as
 * an object, about 100x the module's size in heap, and compiles every function to JVM bytecode),
 * so every count a module declares is checked against these limits <em>before</em> anything is
 * allocated for it, and loading stops when it takes too long. A module over a limit fails to load
 * with {@link ModuleLoadException.Reason#LIMITS}, naming the limit to raise.
 *
 * <p>The defaults fit real plugins up to interpreters such as QuickJS and Ruby (16 MB); lower them
 * for small plugins, raise them for big trusted modules. Besides these settings, Corral always
 * applies the structural limits the wasm engines agree on (at most 1,000,000 types, 1,000
 * parameters and 1,000 results per function type, 100,000 imports, exports, data and element
 * segments). The full table is in {@code site/security.md}.
 *
 * <pre>{@code
 * var limits = LoadLimits.builder().maxModuleSize(4 << 20).maxCompileTime(Duration.ofSeconds(10)).build();
 * PluginModule m = corral.loader().limits(limits).load(bytes);
 * Corral corral = Corral.builder().loadLimits(limits).build();   // the default for every loader
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class LoadLimits {
    /** 32 MiB: Ruby 3.4 with its standard library is 16 MB. */
    public static final int DEFAULT_MAX_MODULE_SIZE = 32 << 20;
    /** Imported and defined functions together (Ruby has 17,884). */
    public static final int DEFAULT_MAX_FUNCTIONS = 100_000;
    /** 512 KiB of code in one function body (Ruby's largest has 138 KB, QuickJS's 37 KB). */
    public static final int DEFAULT_MAX_FUNCTION_SIZE = 512 << 10;
    /** Locals of one function, its parameters included (Ruby's most are 170). */
    public static final int DEFAULT_MAX_LOCALS = 10_000;
    /**
     * Blocks, loops, ifs and try_tables open at once in one function (a C switch nests one block
     * per case; Ruby's deepest function nests 617).
     */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 10_000;
    public static final int DEFAULT_MAX_TABLES = 100;
    public static final int DEFAULT_MAX_MEMORIES = 100;
    public static final int DEFAULT_MAX_GLOBALS = 10_000;
    /** Parsing, validating, rewriting and compiling one module (or its fuel-metered variant). */
    public static final Duration DEFAULT_MAX_COMPILE_TIME = Duration.ofSeconds(60);

    private static final LoadLimits DEFAULTS = builder().build();

    private final int maxModuleSize;
    private final int maxFunctions;
    private final int maxFunctionSize;
    private final int maxLocals;
    private final int maxNestingDepth;
    private final int maxTables;
    private final int maxMemories;
    private final int maxGlobals;
    private final Duration maxCompileTime;

    private LoadLimits(Builder b) {
        this.maxModuleSize = b.maxModuleSize;
        this.maxFunctions = b.maxFunctions;
        this.maxFunctionSize = b.maxFunctionSize;
        this.maxLocals = b.maxLocals;
        this.maxNestingDepth = b.maxNestingDepth;
        this.maxTables = b.maxTables;
        this.maxMemories = b.maxMemories;
        this.maxGlobals = b.maxGlobals;
        this.maxCompileTime = b.maxCompileTime;
    }

    /** The defaults (the {@code DEFAULT_*} constants). */
    public static LoadLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        var b = new Builder();
        b.maxModuleSize = maxModuleSize;
        b.maxFunctions = maxFunctions;
        b.maxFunctionSize = maxFunctionSize;
        b.maxLocals = maxLocals;
        b.maxNestingDepth = maxNestingDepth;
        b.maxTables = maxTables;
        b.maxMemories = maxMemories;
        b.maxGlobals = maxGlobals;
        b.maxCompileTime = maxCompileTime;
        return b;
    }

    /** The most bytes a module may have. */
    public int maxModuleSize() {
        return maxModuleSize;
    }

    /** The most functions, imported and defined, a module may have. */
    public int maxFunctions() {
        return maxFunctions;
    }

    /** The most bytes of code one function body may have. */
    public int maxFunctionSize() {
        return maxFunctionSize;
    }

    /**
     * The most locals one function may have, its parameters included. Each call holds a frame of
     * up to this many slots, so this and the call depth bound what a call's stack can hold.
     */
    public int maxLocals() {
        return maxLocals;
    }

    /** The most blocks one function may have open at once. */
    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /** The most tables (imported and defined) a module may have. */
    public int maxTables() {
        return maxTables;
    }

    /** The most memories (imported and defined) a module may have. */
    public int maxMemories() {
        return maxMemories;
    }

    /** The most globals (imported and defined) a module may have. */
    public int maxGlobals() {
        return maxGlobals;
    }

    /**
     * How long loading one module may take: parsing, validating, rewriting and compiling, and
     * again for the fuel-metered variant built when a metered policy first instantiates it. Checked
     * between those steps and within Corral's own passes; a single step of Chicory's compiler
     * cannot be interrupted, so a load can overrun this by one step, whose length the other
     * limits bound.
     */
    public Duration maxCompileTime() {
        return maxCompileTime;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LoadLimits)) {
            return false;
        }
        LoadLimits l = (LoadLimits) o;
        return maxModuleSize == l.maxModuleSize && maxFunctions == l.maxFunctions && maxFunctionSize == l.maxFunctionSize
                && maxLocals == l.maxLocals && maxNestingDepth == l.maxNestingDepth && maxTables == l.maxTables
                && maxMemories == l.maxMemories && maxGlobals == l.maxGlobals && maxCompileTime.equals(l.maxCompileTime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxModuleSize, maxFunctions, maxFunctionSize, maxLocals, maxNestingDepth, maxTables, maxMemories,
                maxGlobals, maxCompileTime);
    }

    @Override
    public String toString() {
        return "LoadLimits[maxModuleSize=" + maxModuleSize + ", maxFunctions=" + maxFunctions + ", maxFunctionSize="
                + maxFunctionSize + ", maxLocals=" + maxLocals + ", maxNestingDepth=" + maxNestingDepth + ", maxTables="
                + maxTables + ", maxMemories=" + maxMemories + ", maxGlobals=" + maxGlobals + ", maxCompileTime="
                + maxCompileTime + "]";
    }

    public static final class Builder {
        private int maxModuleSize = DEFAULT_MAX_MODULE_SIZE;
        private int maxFunctions = DEFAULT_MAX_FUNCTIONS;
        private int maxFunctionSize = DEFAULT_MAX_FUNCTION_SIZE;
        private int maxLocals = DEFAULT_MAX_LOCALS;
        private int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;
        private int maxTables = DEFAULT_MAX_TABLES;
        private int maxMemories = DEFAULT_MAX_MEMORIES;
        private int maxGlobals = DEFAULT_MAX_GLOBALS;
        private Duration maxCompileTime = DEFAULT_MAX_COMPILE_TIME;

        private Builder() {}

        public Builder maxModuleSize(int bytes) {
            this.maxModuleSize = positive("maxModuleSize", bytes);
            return this;
        }

        public Builder maxFunctions(int functions) {
            this.maxFunctions = positive("maxFunctions", functions);
            return this;
        }

        public Builder maxFunctionSize(int bytes) {
            this.maxFunctionSize = positive("maxFunctionSize", bytes);
            return this;
        }

        public Builder maxLocals(int locals) {
            this.maxLocals = positive("maxLocals", locals);
            return this;
        }

        public Builder maxNestingDepth(int depth) {
            this.maxNestingDepth = positive("maxNestingDepth", depth);
            return this;
        }

        public Builder maxTables(int tables) {
            this.maxTables = nonNegative("maxTables", tables);
            return this;
        }

        public Builder maxMemories(int memories) {
            this.maxMemories = nonNegative("maxMemories", memories);
            return this;
        }

        public Builder maxGlobals(int globals) {
            this.maxGlobals = nonNegative("maxGlobals", globals);
            return this;
        }

        public Builder maxCompileTime(Duration time) {
            Objects.requireNonNull(time, "time");
            if (time.isNegative() || time.isZero()) {
                throw new IllegalArgumentException("maxCompileTime must be positive, got " + time);
            }
            this.maxCompileTime = time;
            return this;
        }

        public LoadLimits build() {
            return new LoadLimits(this);
        }

        private static int positive(String what, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + " must be > 0, got " + v);
            }
            return v;
        }

        private static int nonNegative(String what, int v) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must be >= 0, got " + v);
            }
            return v;
        }
    }
}
