package dev.corral.js.internal;

import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.spi.GuestMemory;

/**
 * The exports of quickjs-wasi's {@code quickjs.wasm} that corral-js drives, resolved once per
 * instance. Every JavaScript value crosses as a pointer to a heap-allocated {@code JSValue} that
 * whoever holds it frees with {@link #free(int)}; strings cross as (pointer, length) in the
 * engine's memory. Functions named as in quickjs-wasi's {@code c/interface.c}.
 *
 * <p>Pointers kept across calls (the global object, the helper functions, the scratch area) are
 * made during initialization, before the first snapshot, so every snapshot contains them.
 */
public final class QuickJs {
    /** Bytes of the scratch area: argv arrays and out-parameters of the calls below. */
    static final int SCRATCH = 512;

    private final Plugin plugin;
    private final GuestMemory memory;
    final PluginFunction malloc;
    final PluginFunction free;
    final PluginFunction init;
    final PluginFunction setMemoryLimit;
    final PluginFunction setMaxStackSize;
    final PluginFunction eval;
    final PluginFunction call;
    final PluginFunction newString;
    final PluginFunction newNumber;
    final PluginFunction newArray;
    final PluginFunction undefined;
    final PluginFunction nul;
    final PluginFunction yes;
    final PluginFunction no;
    final PluginFunction isException;
    final PluginFunction isUndefined;
    final PluginFunction isNull;
    final PluginFunction isNumber;
    final PluginFunction isBool;
    final PluginFunction isString;
    final PluginFunction isFunction;
    final PluginFunction getFloat64;
    final PluginFunction getBool;
    final PluginFunction getStringLen;
    final PluginFunction freeCString;
    final PluginFunction freeValue;
    final PluginFunction getGlobal;
    final PluginFunction getPropString;
    final PluginFunction setPropUint32;
    final PluginFunction getPropUint32;
    final PluginFunction newHostFunction;
    final PluginFunction getException;
    final PluginFunction throwValue;
    final PluginFunction newError;
    final PluginFunction setPropString;
    final PluginFunction isJobPending;
    final PluginFunction isPromise;
    final PluginFunction promiseState;
    final PluginFunction promiseResult;
    final PluginFunction executePendingJob;

    private int scratch;
    private int undefinedHandle;

    public QuickJs(Plugin plugin) {
        this.plugin = plugin;
        this.memory = plugin.memory();
        malloc = fn("malloc");
        free = fn("free");
        init = fn("qjs_init");
        setMemoryLimit = fn("qjs_set_memory_limit");
        setMaxStackSize = fn("qjs_set_max_stack_size");
        eval = fn("qjs_eval");
        call = fn("qjs_call");
        newString = fn("qjs_new_string");
        newNumber = fn("qjs_new_number");
        newArray = fn("qjs_new_array");
        undefined = fn("qjs_get_undefined");
        nul = fn("qjs_get_null");
        yes = fn("qjs_get_true");
        no = fn("qjs_get_false");
        isException = fn("qjs_is_exception");
        isUndefined = fn("qjs_is_undefined");
        isNull = fn("qjs_is_null");
        isNumber = fn("qjs_is_number");
        isBool = fn("qjs_is_bool");
        isString = fn("qjs_is_string");
        isFunction = fn("qjs_is_function");
        getFloat64 = fn("qjs_get_float64");
        getBool = fn("qjs_get_bool");
        getStringLen = fn("qjs_get_string_len");
        freeCString = fn("qjs_free_cstring");
        freeValue = fn("qjs_free_value");
        getGlobal = fn("qjs_get_global");
        getPropString = fn("qjs_get_prop_string");
        setPropUint32 = fn("qjs_set_prop_uint32");
        getPropUint32 = fn("qjs_get_prop_uint32");
        newHostFunction = fn("qjs_new_host_function");
        getException = fn("qjs_get_exception");
        throwValue = fn("qjs_throw");
        newError = fn("qjs_new_error");
        setPropString = fn("qjs_set_prop_string");
        isJobPending = fn("qjs_is_job_pending");
        isPromise = fn("qjs_is_promise");
        promiseState = fn("qjs_promise_state");
        promiseResult = fn("qjs_promise_result");
        executePendingJob = fn("qjs_execute_pending_job");
    }

    public Plugin plugin() {
        return plugin;
    }

    private PluginFunction fn(String export) {
        return plugin.function(export);
    }

    public GuestMemory memory() {
        return memory;
    }

    /** Allocates the scratch area and the shared undefined; during initialization only (see the class comment). */
    void allocateScratch() {
        scratch = malloc(SCRATCH);
        undefinedHandle = undefinedValue();
    }

    /** An undefined value that is never freed: the {@code this} of every call. */
    int undefinedHandle() {
        return undefinedHandle;
    }

    int scratch() {
        return scratch;
    }

    // ---- memory ----

    int malloc(int size) {
        int p = (int) malloc.callRaw(size)[0];
        if (p == 0) {
            throw new OutOfEngineMemory(size);
        }
        return p;
    }

    void free(int ptr) {
        if (ptr != 0) {
            free.callRaw(ptr);
        }
    }

    /** A NUL-terminated copy of {@code bytes} in a fresh block; free it with {@link #free}. */
    int cString(byte[] bytes) {
        int p = malloc(bytes.length + 1);
        memory.write(p, bytes);
        memory.writeByte(p + bytes.length, (byte) 0);
        return p;
    }

    /** {@code name} NUL-terminated in the scratch area when it fits (no allocation), else in a fresh block. */
    int name(byte[] bytes) {
        if (bytes.length < SCRATCH / 2) {
            int p = scratch + SCRATCH / 2;
            memory.write(p, bytes);
            memory.writeByte(p + bytes.length, (byte) 0);
            return p;
        }
        return cString(bytes);
    }

    void freeName(int ptr) {
        if (ptr != scratch + SCRATCH / 2) {
            free(ptr);
        }
    }

    // ---- values ----

    void freeValue(int value) {
        if (value != 0) {
            freeValue.callRaw(value);
        }
    }

    int newString(String s) {
        byte[] b = Wtf8.encode(s);
        if (b.length == 0) {
            return (int) newString.callRaw(scratch, 0)[0];
        }
        int p = malloc(b.length);
        try {
            memory.write(p, b);
            return checked((int) newString.callRaw(p, b.length)[0]);
        } finally {
            free(p);
        }
    }

    int newNumber(double d) {
        return checked((int) newNumber.callRaw(Double.doubleToRawLongBits(d))[0]);
    }

    int newBoolean(boolean b) {
        return checked((int) (b ? yes : no).callRaw()[0]);
    }

    int undefinedValue() {
        return checked((int) undefined.callRaw()[0]);
    }

    int nullValue() {
        return checked((int) nul.callRaw()[0]);
    }

    boolean isException(int value) {
        return isException.callRaw(value)[0] != 0;
    }

    /** The string value of {@code value} (JavaScript's ToString), exactly, lone surrogates included. */
    String string(int value) {
        int lenOut = scratch;
        int c = (int) getStringLen.callRaw(value, lenOut)[0];
        if (c == 0) {
            return null;
        }
        try {
            int len = memory.readInt(lenOut);
            return Wtf8.decode(memory.read(c, len));
        } finally {
            freeCString.callRaw(c);
        }
    }

    double number(int value) {
        return Double.longBitsToDouble(getFloat64.callRaw(value)[0]);
    }

    boolean bool(int value) {
        return getBool.callRaw(value)[0] != 0;
    }

    /** Calls {@code fn} with {@code this = undefined}; returns the result, which may be the exception marker. */
    int call(int fn, int thisValue, int... args) {
        return call(call, fn, thisValue, args);
    }

    /** {@link #call(int, int, int...)} through {@code via}: {@code qjs_call}, maybe with limits of its own. */
    int call(PluginFunction via, int fn, int thisValue, int... args) {
        int argv = 0;
        boolean own = false;
        if (args.length > 0) {
            if (args.length * 4 <= SCRATCH / 2 - 8) {
                argv = scratch + 8;
            } else {
                argv = malloc(args.length * 4);
                own = true;
            }
            for (int i = 0; i < args.length; i++) {
                memory.writeInt(argv + 4 * i, args[i]);
            }
        }
        try {
            return (int) via.callRaw(fn, thisValue, args.length, argv)[0];
        } finally {
            if (own) {
                free(argv);
            }
        }
    }

    /** A null pointer from a value constructor means the engine's malloc failed. */
    private static int checked(int value) {
        if (value == 0) {
            throw new OutOfEngineMemory(8);
        }
        return value;
    }

    /** The engine could not allocate even a value cell: its memory is exhausted. */
    static final class OutOfEngineMemory extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OutOfEngineMemory(int size) {
            super("the JavaScript engine's memory is exhausted (malloc of " + size + " bytes failed)");
        }
    }
}
