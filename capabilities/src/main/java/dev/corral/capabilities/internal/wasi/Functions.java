package dev.corral.capabilities.internal.wasi;

import dev.corral.FunctionSignature;
import dev.corral.PluginExitException;
import dev.corral.ValueType;
import dev.corral.spi.HostContext;
import dev.corral.spi.HostFunctionDef;
import java.io.IOException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The preview1 function table: every name with its signature and implementation, and the one
 * place where refusals and I/O errors become errnos (and denials are counted and logged).
 */
final class Functions {
    private static final System.Logger LOG = System.getLogger("dev.corral.capabilities.wasi");
    private static final Map<String, FunctionSignature> SIGNATURES = new TreeMap<>();

    static {
        String[] defs = {
            "args_get:ii", "args_sizes_get:ii", "environ_get:ii", "environ_sizes_get:ii", "clock_res_get:ii",
            "clock_time_get:iIi", "fd_advise:iIIi", "fd_allocate:iII", "fd_close:i", "fd_datasync:i",
            "fd_fdstat_get:ii", "fd_fdstat_set_flags:ii", "fd_fdstat_set_rights:iII", "fd_filestat_get:ii",
            "fd_filestat_set_size:iI", "fd_filestat_set_times:iIIi", "fd_pread:iiiIi", "fd_prestat_get:ii",
            "fd_prestat_dir_name:iii", "fd_pwrite:iiiIi", "fd_read:iiii", "fd_readdir:iiiIi", "fd_renumber:ii",
            "fd_seek:iIii", "fd_sync:i", "fd_tell:ii", "fd_write:iiii", "path_create_directory:iii",
            "path_filestat_get:iiiii", "path_filestat_set_times:iiiiIIi", "path_link:iiiiiii",
            "path_open:iiiiiIIii", "path_readlink:iiiiii", "path_remove_directory:iii", "path_rename:iiiiii",
            "path_symlink:iiiii", "path_unlink_file:iii", "poll_oneoff:iiii", "proc_raise:i", "sched_yield:",
            "random_get:ii", "sock_accept:iii", "sock_recv:iiiiii", "sock_send:iiiii", "sock_shutdown:ii",
        };
        for (String d : defs) {
            int c = d.indexOf(':');
            List<ValueType> p = new ArrayList<>();
            for (char t : d.substring(c + 1).toCharArray()) {
                p.add(t == 'I' ? ValueType.I64 : ValueType.I32);
            }
            SIGNATURES.put(d.substring(0, c), FunctionSignature.of(p, List.of(ValueType.I32)));
        }
        SIGNATURES.put("proc_exit", FunctionSignature.of(List.of(ValueType.I32), List.of()));
    }

    @FunctionalInterface
    interface Body {
        int run(HostContext c, long[] a) throws Failure, IOException;
    }

    private Functions() {}

    static List<HostFunctionDef> table(WasiInstance w) {
        Io io = new Io(w);
        FileOps file = new FileOps(w);
        PathOps path = new PathOps(w);
        ClockOps clock = new ClockOps(w);
        ProcOps proc = new ProcOps(w);
        List<HostFunctionDef> f = new ArrayList<>();
        Table t = new Table(w, f);
        t.add("args_sizes_get", proc::argsSizes);
        t.add("args_get", proc::args);
        t.add("environ_sizes_get", proc::environSizes);
        t.add("environ_get", proc::environ);
        t.add("random_get", proc::random);
        t.add("sched_yield", (c, a) -> Errno.SUCCESS);
        t.add("proc_raise", proc::raise);
        f.add(HostFunctionDef.of(WasiInstance.MODULE, "proc_exit", SIGNATURES.get("proc_exit"), (c, a) -> {
            throw new PluginExitException((int) a[0]);
        }));
        for (String s : new String[] {"sock_accept", "sock_recv", "sock_send", "sock_shutdown"}) {
            t.add(s, proc::socket);
        }
        t.add("clock_res_get", clock::resolution);
        t.add("clock_time_get", clock::time);
        t.add("poll_oneoff", clock::poll);
        t.add("fd_write", (c, a) -> io.write(c, a, false));
        t.add("fd_pwrite", (c, a) -> io.write(c, a, true));
        t.add("fd_read", (c, a) -> io.read(c, a, false));
        t.add("fd_pread", (c, a) -> io.read(c, a, true));
        t.add("fd_close", file::close);
        t.add("fd_renumber", file::renumber);
        t.add("fd_fdstat_get", file::fdstatGet);
        t.add("fd_fdstat_set_flags", file::fdstatSetFlags);
        t.add("fd_fdstat_set_rights", file::fdstatSetRights);
        t.add("fd_prestat_get", file::prestatGet);
        t.add("fd_prestat_dir_name", file::prestatDirName);
        t.add("fd_seek", file::seek);
        t.add("fd_tell", file::tell);
        t.add("fd_sync", (c, a) -> file.sync(a[0], true));
        t.add("fd_datasync", (c, a) -> file.sync(a[0], false));
        t.add("fd_advise", file::advise);
        t.add("fd_allocate", file::allocate);
        t.add("fd_filestat_set_size", file::setSize);
        t.add("fd_filestat_get", file::filestatGet);
        t.add("fd_filestat_set_times", file::filestatSetTimes);
        t.add("fd_readdir", file::readdir);
        t.add("path_open", path::open);
        t.add("path_filestat_get", path::filestatGet);
        t.add("path_filestat_set_times", path::filestatSetTimes);
        t.add("path_create_directory", path::createDirectory);
        t.add("path_unlink_file", path::unlinkFile);
        t.add("path_remove_directory", path::removeDirectory);
        t.add("path_rename", path::rename);
        t.add("path_symlink", path::symlink);
        t.add("path_link", path::link);
        t.add("path_readlink", path::readlink);
        if (f.size() != SIGNATURES.size()) {
            throw new AssertionError("WASI table incomplete: " + f.size() + " of " + SIGNATURES.size());
        }
        return f;
    }

    private static final class Table {
        final WasiInstance w;
        final List<HostFunctionDef> out;

        Table(WasiInstance w, List<HostFunctionDef> out) {
            this.w = w;
            this.out = out;
        }

        void add(String name, Body body) {
            out.add(HostFunctionDef.of(WasiInstance.MODULE, name, SIGNATURES.get(name), (ctx, a) -> {
                int r;
                try {
                    r = body.run(ctx, a);
                } catch (Failure f) {
                    if (f.denial != null) {
                        denied(w, name, f.errno, f.denial);
                    }
                    r = f.errno;
                } catch (IOException e) {
                    r = Errno.of(e);
                } catch (java.nio.file.DirectoryIteratorException | java.io.UncheckedIOException e) {
                    r = Errno.of((IOException) e.getCause());
                } catch (InvalidPathException e) {
                    r = Errno.INVAL;
                } catch (NonReadableChannelException | NonWritableChannelException e) {
                    r = Errno.BADF;
                } catch (SecurityException e) {
                    r = Errno.ACCES;
                }
                return new long[] {r};
            }));
        }
    }

    /** Counts a call the grants do not cover and logs it at DEBUG. */
    static void denied(WasiInstance w, String fn, int errno, String why) {
        w.onDenied.accept(fn);
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "plugin ''{0}'': WASI {1} denied with errno {2}: {3}",
                    w.pluginName, fn, errno, why);
        }
    }
}
