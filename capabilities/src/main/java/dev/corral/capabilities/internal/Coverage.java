package dev.corral.capabilities.internal;

/** Which preview1 functions a set of grants covers; the basis of strict mode. */
public final class Coverage {
    private final boolean files;
    private final boolean writableFiles;
    private final boolean clock;
    private final boolean random;
    private final boolean env;
    private final boolean output;

    public Coverage(boolean files, boolean writableFiles, boolean clock, boolean random, boolean env, boolean output) {
        this.files = files;
        this.writableFiles = writableFiles;
        this.clock = clock;
        this.random = random;
        this.env = env;
        this.output = output;
    }

    public boolean covers(String fn) {
        switch (fn) {
            // always meaningful: argv[0], exit, yielding, and descriptor housekeeping that only
            // ever sees stdio and granted directories
            case "args_get": case "args_sizes_get": case "proc_exit": case "sched_yield":
            case "fd_close": case "fd_fdstat_get": case "fd_fdstat_set_flags": case "fd_fdstat_set_rights":
            case "fd_prestat_get": case "fd_prestat_dir_name": case "fd_read": case "fd_seek": case "fd_tell":
            case "fd_sync": case "fd_datasync": case "fd_advise": case "fd_renumber":
                return true;
            case "environ_get": case "environ_sizes_get":
                return env;
            case "clock_time_get": case "clock_res_get": case "poll_oneoff":
                return clock;
            case "random_get":
                return random;
            case "fd_write":
                return output || writableFiles;
            case "path_open": case "path_filestat_get": case "path_readlink": case "fd_readdir":
            case "fd_filestat_get": case "fd_pread":
                return files;
            case "path_create_directory": case "path_link": case "path_remove_directory": case "path_rename":
            case "path_symlink": case "path_unlink_file": case "path_filestat_set_times": case "fd_allocate":
            case "fd_filestat_set_size": case "fd_filestat_set_times": case "fd_pwrite":
                return writableFiles;
            default: // proc_raise, sock_*, and names preview1 does not have
                return false;
        }
    }
}
