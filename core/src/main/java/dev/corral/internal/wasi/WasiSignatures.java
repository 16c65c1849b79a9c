package dev.corral.internal.wasi;

import dev.corral.FunctionSignature;
import dev.corral.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The 46 functions of WASI preview1 ({@code wasi_snapshot_preview1}) and their wasm types. */
public final class WasiSignatures {
    public static final String MODULE = "wasi_snapshot_preview1";

    private static final Map<String, FunctionSignature> ALL = new TreeMap<>();

    static {
        // i = i32, I = i64; every function but proc_exit returns an i32 errno
        def("args_get", "ii");
        def("args_sizes_get", "ii");
        def("environ_get", "ii");
        def("environ_sizes_get", "ii");
        def("clock_res_get", "ii");
        def("clock_time_get", "iIi");
        def("fd_advise", "iIIi");
        def("fd_allocate", "iII");
        def("fd_close", "i");
        def("fd_datasync", "i");
        def("fd_fdstat_get", "ii");
        def("fd_fdstat_set_flags", "ii");
        def("fd_fdstat_set_rights", "iII");
        def("fd_filestat_get", "ii");
        def("fd_filestat_set_size", "iI");
        def("fd_filestat_set_times", "iIIi");
        def("fd_pread", "iiiIi");
        def("fd_prestat_get", "ii");
        def("fd_prestat_dir_name", "iii");
        def("fd_pwrite", "iiiIi");
        def("fd_read", "iiii");
        def("fd_readdir", "iiiIi");
        def("fd_renumber", "ii");
        def("fd_seek", "iIii");
        def("fd_sync", "i");
        def("fd_tell", "ii");
        def("fd_write", "iiii");
        def("path_create_directory", "iii");
        def("path_filestat_get", "iiiii");
        def("path_filestat_set_times", "iiiiIIi");
        def("path_link", "iiiiiii");
        def("path_open", "iiiiiIIii");
        def("path_readlink", "iiiiii");
        def("path_remove_directory", "iii");
        def("path_rename", "iiiiii");
        def("path_symlink", "iiiii");
        def("path_unlink_file", "iii");
        def("poll_oneoff", "iiii");
        ALL.put("proc_exit", FunctionSignature.of(List.of(ValueType.I32), List.of()));
        def("proc_raise", "i");
        def("sched_yield", "");
        def("random_get", "ii");
        def("sock_accept", "iii");
        def("sock_recv", "iiiiii");
        def("sock_send", "iiiii");
        def("sock_shutdown", "ii");
    }

    private WasiSignatures() {}

    private static void def(String name, String params) {
        List<ValueType> p = new ArrayList<>();
        for (char c : params.toCharArray()) {
            p.add(c == 'I' ? ValueType.I64 : ValueType.I32);
        }
        ALL.put(name, FunctionSignature.of(p, List.of(ValueType.I32)));
    }

    /** Name to signature, sorted by name. */
    public static Map<String, FunctionSignature> all() {
        return java.util.Collections.unmodifiableMap(ALL);
    }
}
