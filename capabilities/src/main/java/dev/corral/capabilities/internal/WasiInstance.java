package dev.corral.capabilities.internal;

import dev.corral.CallInterruptedException;
import dev.corral.FunctionSignature;
import dev.corral.PluginExitException;
import dev.corral.ValueType;
import dev.corral.capabilities.WasiClock;
import dev.corral.capabilities.WasiOutput;
import dev.corral.capabilities.WasiRandom;
import dev.corral.spi.GuestMemory;
import dev.corral.spi.HostContext;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One plugin instance's WASI preview1: its descriptor table and streams. Confined to the plugin's
 * thread like the plugin itself.
 *
 * <p>File-system confinement: every path is resolved here, component by component from the
 * preopen's real root, never by the OS. {@code ..} is lexical and may not climb above the root;
 * absolute paths are refused; each symlink met on the way (and the last component when the guest
 * asks to follow) is read and spliced in, refused if absolute or if it climbs above the root. The
 * result names only real directories below the root, and the final operation is done with
 * NOFOLLOW. Residual risk (documented in the README): between our check and the OS call another
 * process sharing the directory could swap a checked directory for a symlink (TOCTOU); a
 * single guest cannot, because its calls are sequential.
 */
public final class WasiInstance {
    public static final String MODULE = "wasi_snapshot_preview1";

    private static final System.Logger LOG = System.getLogger("dev.corral.capabilities.wasi");
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int MAX_FDS = 1024;
    private static final int MAX_PATH = 4096;
    private static final int MAX_SYMLINKS = 32;
    private static final int MAX_IOVS = 1024;
    private static final int CHUNK = 64 * 1024;
    /** Where '\\' and ':' are separators or drive letters, a guest name containing them could climb out. */
    private static final boolean FOREIGN_SEPARATORS = java.io.File.separatorChar != '/';

    // rights
    static final long FD_DATASYNC = 1L << 0;
    static final long FD_READ = 1L << 1;
    static final long FD_SEEK = 1L << 2;
    static final long FD_FDSTAT_SET_FLAGS = 1L << 3;
    static final long FD_SYNC = 1L << 4;
    static final long FD_TELL = 1L << 5;
    static final long FD_WRITE = 1L << 6;
    static final long FD_ADVISE = 1L << 7;
    static final long FD_ALLOCATE = 1L << 8;
    static final long FD_READDIR = 1L << 14;
    static final long FD_FILESTAT_GET = 1L << 21;
    static final long FD_FILESTAT_SET_SIZE = 1L << 22;
    static final long FD_FILESTAT_SET_TIMES = 1L << 23;
    static final long POLL_FD_READWRITE = 1L << 27;
    /** Every path_* right (bits 9-13, 15-20, 24-26): what a directory descriptor can carry. */
    static final long PATH_RIGHTS = (0x1FL << 9) | (0x3FL << 15) | (0x7L << 24);
    static final long FILE_RIGHTS = FD_DATASYNC | FD_READ | FD_SEEK | FD_FDSTAT_SET_FLAGS | FD_SYNC | FD_TELL
            | FD_WRITE | FD_ADVISE | FD_ALLOCATE | FD_FILESTAT_GET | FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES
            | POLL_FD_READWRITE;
    static final long DIR_RIGHTS = PATH_RIGHTS | FD_READDIR | FD_FILESTAT_GET | FD_FILESTAT_SET_TIMES
            | FD_FDSTAT_SET_FLAGS | FD_SYNC | FD_DATASYNC;

    // file types
    private static final int T_UNKNOWN = 0;
    private static final int T_CHAR = 2;
    private static final int T_DIR = 3;
    private static final int T_FILE = 4;
    private static final int T_SYMLINK = 7;

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

    /** A refusal: the errno the guest sees, and, for a denial by the grants, why (counted and logged). */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int errno;
        final String denial;

        Failure(int errno, String denial) {
            super(denial, null, false, false);
            this.errno = errno;
            this.denial = denial;
        }
    }

    private abstract static class Fd {
        long rightsBase;
        long rightsInheriting;
        boolean append;
    }

    private static final class StdFd extends Fd {
        final WasiOutput.Sink sink; // null for stdin

        StdFd(WasiOutput.Sink sink) {
            this.sink = sink;
            this.rightsBase = (sink == null ? FD_READ : FD_WRITE) | POLL_FD_READWRITE;
        }
    }

    private static final class DirFd extends Fd {
        final Preopen pre;
        final List<String> comps;
        final String preopenName; // non-null for a preopened root

        DirFd(Preopen pre, List<String> comps, String preopenName, long base, long inheriting) {
            this.pre = pre;
            this.comps = comps;
            this.preopenName = preopenName;
            this.rightsBase = base;
            this.rightsInheriting = inheriting;
        }
    }

    private static final class FileFd extends Fd {
        final Preopen pre;
        final List<String> comps;
        final FileChannel ch;
        final boolean readable;
        final boolean writable;

        FileFd(Preopen pre, List<String> comps, FileChannel ch, boolean readable, boolean writable) {
            this.pre = pre;
            this.comps = comps;
            this.ch = ch;
            this.readable = readable;
            this.writable = writable;
        }
    }

    /** A path resolved inside a preopen: only real directories, no symlink except possibly the last. */
    private static final class Resolved {
        final Preopen pre;
        final List<String> comps;

        Resolved(Preopen pre, List<String> comps) {
            this.pre = pre;
            this.comps = comps;
        }

        Path host() {
            return hostPath(pre, comps);
        }
    }

    @FunctionalInterface
    private interface Body {
        int run(HostContext c, long[] a) throws Failure, IOException;
    }

    private final String pluginName;
    private final long writeQuota;
    private long written;
    private final WasiClock clock;
    private final boolean clockGranted;
    private final WasiRandom.Stream random;
    private final byte[][] args;
    private final byte[][] env;
    private final WasiOutput.Sink stdout;
    private final WasiOutput.Sink stderr;
    private final Consumer<String> onDenied;
    private final TreeMap<Integer, Fd> fds = new TreeMap<>();
    private final HostModuleDef module;
    private final boolean hasPreopens;
    private boolean closed;

    public WasiInstance(String pluginName, List<Preopen> preopens, long writeQuota, WasiClock clock,
            WasiRandom.Stream random, Map<String, String> env, List<String> args, WasiOutput.Sink stdout,
            WasiOutput.Sink stderr, Consumer<String> onDenied) {
        this.pluginName = pluginName;
        this.writeQuota = writeQuota;
        // no clock granted: time stands at the epoch (both clocks 0) and sleeps return at once
        this.clock = clock != null ? clock : WasiClock.fixed(java.time.Instant.EPOCH);
        this.clockGranted = clock != null;
        this.random = random;
        this.stdout = stdout;
        this.stderr = stderr;
        this.onDenied = onDenied;
        List<String> argv = new ArrayList<>();
        argv.add(pluginName);
        argv.addAll(args);
        this.args = utf8(argv);
        List<String> vars = new ArrayList<>();
        env.forEach((k, v) -> vars.add(k + "=" + v));
        this.env = utf8(vars);
        fds.put(0, new StdFd(null));
        fds.put(1, new StdFd(stdout));
        fds.put(2, new StdFd(stderr));
        this.hasPreopens = !preopens.isEmpty();
        int fd = 3;
        for (Preopen p : preopens) {
            // rights are advisory (wasi-libc asks for what the directory advertises); the preopen's
            // mode is what is enforced, so a write on a read-only one gets a clear EROFS
            fds.put(fd++, new DirFd(p, List.of(), p.guestPath(), DIR_RIGHTS, DIR_RIGHTS | FILE_RIGHTS));
        }
        this.module = HostModuleDef.of(MODULE, functions());
    }

    public HostModuleDef hostModule() {
        return module;
    }

    /** Closes every open file and flushes the output streams; idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Fd f : fds.values()) {
            if (f instanceof FileFd) {
                try {
                    ((FileFd) f).ch.close();
                } catch (IOException ignored) {
                    // closing a read or write channel we own; nothing the guest can still observe
                }
            }
        }
        fds.clear();
        stdout.close();
        stderr.close();
    }

    private static byte[][] utf8(List<String> strings) {
        byte[][] out = new byte[strings.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    // ---- plumbing ----

    private HostFunctionDef fn(String name, Body body) {
        FunctionSignature sig = SIGNATURES.get(name);
        return HostFunctionDef.of(MODULE, name, sig, (ctx, a) -> {
            int r;
            try {
                r = body.run(ctx, a);
            } catch (Failure f) {
                if (f.denial != null) {
                    denied(name, f.errno, f.denial);
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
        });
    }

    private void denied(String fn, int errno, String why) {
        onDenied.accept(fn);
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "plugin ''{0}'': WASI {1} denied with errno {2}: {3}",
                    pluginName, fn, errno, why);
        }
    }

    private static Failure fail(int errno) {
        return new Failure(errno, null);
    }

    private static Failure deny(int errno, String why) {
        return new Failure(errno, why);
    }

    private static Path hostPath(Preopen pre, List<String> comps) {
        return comps.isEmpty() ? pre.root() : pre.root().resolve(String.join("/", comps));
    }

    private Fd fd(long fd) throws Failure {
        Fd f = fds.get((int) fd);
        if (f == null) {
            throw fail(Errno.BADF);
        }
        return f;
    }

    private DirFd dir(long fd) throws Failure {
        if (!hasPreopens) {
            throw deny(Errno.BADF, "no directory granted");
        }
        Fd f = fd(fd);
        if (!(f instanceof DirFd)) {
            throw fail(Errno.NOTDIR);
        }
        return (DirFd) f;
    }

    private String readPath(GuestMemory m, long ptr, long len) throws Failure {
        if (len < 0 || len > MAX_PATH) {
            throw fail(Errno.NAMETOOLONG);
        }
        byte[] b = m.read((int) ptr, (int) len);
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw fail(Errno.ILSEQ);
        }
        if (s.indexOf('\0') >= 0) {
            throw fail(Errno.INVAL);
        }
        return s;
    }

    private static void split(String path, Deque<String> into, boolean front) {
        List<String> parts = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                parts.add(c);
            }
        }
        if (front) {
            for (int i = parts.size() - 1; i >= 0; i--) {
                into.addFirst(parts.get(i));
            }
        } else {
            into.addAll(parts);
        }
    }

    /**
     * Resolves {@code path} relative to directory {@code d}, re-checking the directory's own
     * components too (they were real directories when it was opened, but may have changed).
     */
    private Resolved resolve(DirFd d, String path, boolean followFinal) throws Failure, IOException {
        if (path.isEmpty()) {
            throw fail(Errno.NOENT);
        }
        if (path.startsWith("/")) {
            throw deny(Errno.NOTCAPABLE, "absolute path '" + path + "'");
        }
        boolean follow = followFinal || path.endsWith("/");
        Deque<String> todo = new ArrayDeque<>(d.comps);
        split(path, todo, false);
        List<String> stack = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals("..")) {
                if (stack.isEmpty()) {
                    throw deny(Errno.NOTCAPABLE, "'" + path + "' climbs out of the preopened directory");
                }
                stack.remove(stack.size() - 1);
                continue;
            }
            if (FOREIGN_SEPARATORS && (c.indexOf('\\') >= 0 || c.indexOf(':') >= 0)) {
                throw deny(Errno.NOTCAPABLE, "'" + path + "' has a name the host would split");
            }
            stack.add(c);
            if (todo.isEmpty() && !follow) {
                break;
            }
            Path p = hostPath(d.pre, stack);
            if (Files.isSymbolicLink(p)) {
                if (++links > MAX_SYMLINKS) {
                    throw fail(Errno.LOOP);
                }
                String target = Files.readSymbolicLink(p).toString();
                stack.remove(stack.size() - 1);
                if (target.isEmpty()) {
                    throw fail(Errno.NOENT);
                }
                if (target.startsWith("/")) {
                    throw deny(Errno.NOTCAPABLE, "'" + path + "' goes through a symlink to absolute path '" + target + "'");
                }
                split(target, todo, true);
            }
        }
        return new Resolved(d.pre, stack);
    }

    private Resolved self(DirFd d) throws Failure, IOException {
        return resolve(d, ".", true);
    }

    /**
     * The path an open file was opened at, re-resolved: the few calls Java can only make by path
     * (set_times, stat) must not follow a directory the guest has since swapped for a symlink.
     */
    private Path path(FileFd f) throws Failure, IOException {
        return resolve(new DirFd(f.pre, List.of(), null, 0, 0), String.join("/", f.comps), false).host();
    }

    /** A symlink's target, seen from a link whose parent is {@code depth} levels below the root, must stay inside. */
    private static void checkLinkTarget(String target, int depth) throws Failure {
        if (target.startsWith("/")) {
            throw deny(Errno.NOTCAPABLE, "symlink to absolute path '" + target + "'");
        }
        for (String comp : target.split("/")) {
            if (comp.equals("..")) {
                if (--depth < 0) {
                    throw deny(Errno.NOTCAPABLE, "symlink target '" + target + "' leaves the preopened directory");
                }
            } else if (!comp.isEmpty() && !comp.equals(".")) {
                depth++;
            }
        }
    }

    private static BasicFileAttributes lstat(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
    }

    private static BasicFileAttributes lstatOrNull(Path p) throws IOException {
        try {
            return lstat(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void readOnlyCheck(Preopen pre, String what) throws Failure {
        if (pre.readOnly()) {
            throw deny(Errno.ROFS, what + " in read-only directory '" + pre.guestPath() + "'");
        }
    }

    private void charge(long bytes) throws Failure {
        if (writeQuota >= 0 && bytes > 0) {
            if (bytes > writeQuota - written) {
                throw deny(Errno.DQUOT, "write quota of " + writeQuota + " bytes exhausted (" + written + " used)");
            }
            written += bytes;
        }
    }

    private long realtime() {
        return clock.realtimeNanos();
    }

    // ---- the functions ----

    private List<HostFunctionDef> functions() {
        List<HostFunctionDef> f = new ArrayList<>();
        f.add(fn("args_sizes_get", (c, a) -> sizes(c.memory(), a, args)));
        f.add(fn("args_get", (c, a) -> strings(c.memory(), a, args)));
        f.add(fn("environ_sizes_get", (c, a) -> sizes(c.memory(), a, env)));
        f.add(fn("environ_get", (c, a) -> strings(c.memory(), a, env)));
        f.add(fn("clock_res_get", (c, a) -> {
            checkClockId(a[0]);
            c.memory().writeLong((int) a[1], 1L);
            return Errno.SUCCESS;
        }));
        f.add(fn("clock_time_get", this::clockTimeGet));
        f.add(fn("random_get", this::randomGet));
        f.add(fn("sched_yield", (c, a) -> Errno.SUCCESS));
        f.add(fn("proc_raise", (c, a) -> {
            throw deny(Errno.NOTCAPABLE, "signals are not supported");
        }));
        f.add(HostFunctionDef.of(MODULE, "proc_exit", SIGNATURES.get("proc_exit"), (c, a) -> {
            throw new PluginExitException((int) a[0]);
        }));
        for (String s : new String[] {"sock_accept", "sock_recv", "sock_send", "sock_shutdown"}) {
            f.add(fn(s, (c, a) -> {
                throw deny(Errno.NOTCAPABLE, "no network capability");
            }));
        }
        f.add(fn("poll_oneoff", this::pollOneoff));
        f.add(fn("fd_write", (c, a) -> fdWrite(c.memory(), a, false)));
        f.add(fn("fd_pwrite", (c, a) -> fdWrite(c.memory(), a, true)));
        f.add(fn("fd_read", (c, a) -> fdRead(c.memory(), a, false)));
        f.add(fn("fd_pread", (c, a) -> fdRead(c.memory(), a, true)));
        f.add(fn("fd_close", (c, a) -> {
            Fd x = fds.remove((int) a[0]);
            if (x == null) {
                throw fail(Errno.BADF);
            }
            if (x instanceof FileFd) {
                ((FileFd) x).ch.close();
            }
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_renumber", (c, a) -> {
            Fd from = fd(a[0]);
            Fd to = fd(a[1]);
            if (from != to) {
                if (to instanceof FileFd) {
                    ((FileFd) to).ch.close();
                }
                fds.put((int) a[1], from);
                fds.remove((int) a[0]);
            }
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_fdstat_get", this::fdstatGet));
        f.add(fn("fd_fdstat_set_flags", (c, a) -> {
            Fd x = fd(a[0]);
            boolean append = (a[1] & 1) != 0;
            if (append && x instanceof FileFd) {
                readOnlyCheck(((FileFd) x).pre, "fd_fdstat_set_flags(APPEND)");
            }
            x.append = append;
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_fdstat_set_rights", (c, a) -> {
            Fd x = fd(a[0]);
            if ((a[1] & ~x.rightsBase) != 0 || (a[2] & ~x.rightsInheriting) != 0) {
                throw fail(Errno.NOTCAPABLE); // rights can only shrink
            }
            x.rightsBase = a[1];
            x.rightsInheriting = a[2];
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_prestat_get", (c, a) -> {
            Fd x = fd(a[0]);
            if (!(x instanceof DirFd) || ((DirFd) x).preopenName == null) {
                throw fail(Errno.BADF);
            }
            GuestMemory m = c.memory();
            m.writeInt((int) a[1], 0);
            m.writeInt((int) a[1] + 4, ((DirFd) x).preopenName.getBytes(StandardCharsets.UTF_8).length);
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_prestat_dir_name", (c, a) -> {
            Fd x = fd(a[0]);
            if (!(x instanceof DirFd) || ((DirFd) x).preopenName == null) {
                throw fail(Errno.BADF);
            }
            byte[] name = ((DirFd) x).preopenName.getBytes(StandardCharsets.UTF_8);
            if (a[2] < name.length) {
                throw fail(Errno.NAMETOOLONG);
            }
            c.memory().write((int) a[1], name);
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_seek", this::fdSeek));
        f.add(fn("fd_tell", (c, a) -> {
            Fd x = fd(a[0]);
            if (!(x instanceof FileFd)) {
                throw fail(x instanceof StdFd ? Errno.SPIPE : Errno.BADF);
            }
            c.memory().writeLong((int) a[1], ((FileFd) x).ch.position());
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_sync", (c, a) -> sync(a[0], true)));
        f.add(fn("fd_datasync", (c, a) -> sync(a[0], false)));
        f.add(fn("fd_advise", (c, a) -> {
            Fd x = fd(a[0]);
            if (!(x instanceof FileFd)) {
                throw fail(x instanceof StdFd ? Errno.SPIPE : Errno.BADF);
            }
            if (a[3] < 0 || a[3] > 5 || a[1] < 0 || a[2] < 0) {
                throw fail(Errno.INVAL);
            }
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_allocate", (c, a) -> {
            FileFd x = writableFile(a[0], "fd_allocate");
            if (a[1] < 0 || a[2] <= 0) {
                throw fail(Errno.INVAL);
            }
            long end = a[1] + a[2];
            if (end < 0) {
                throw fail(Errno.FBIG);
            }
            grow(x, end);
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_filestat_set_size", (c, a) -> {
            FileFd x = writableFile(a[0], "fd_filestat_set_size");
            if (a[1] < 0) {
                throw fail(Errno.INVAL);
            }
            if (a[1] < x.ch.size()) {
                x.ch.truncate(a[1]);
            } else {
                grow(x, a[1]);
            }
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_filestat_get", this::fdFilestatGet));
        f.add(fn("fd_filestat_set_times", (c, a) -> {
            Fd x = fd(a[0]);
            Path p;
            if (x instanceof FileFd) {
                readOnlyCheck(((FileFd) x).pre, "fd_filestat_set_times");
                p = path((FileFd) x);
            } else if (x instanceof DirFd) {
                readOnlyCheck(((DirFd) x).pre, "fd_filestat_set_times");
                p = self((DirFd) x).host();
            } else {
                throw fail(Errno.BADF);
            }
            setTimes(p, a[1], a[2], (int) a[3]);
            return Errno.SUCCESS;
        }));
        f.add(fn("fd_readdir", this::fdReaddir));
        f.add(fn("path_open", this::pathOpen));
        f.add(fn("path_filestat_get", (c, a) -> {
            GuestMemory m = c.memory();
            Resolved r = resolve(dir(a[0]), readPath(m, a[2], a[3]), (a[1] & 1) != 0);
            writeFilestat(m, (int) a[4], r.host(), -1);
            return Errno.SUCCESS;
        }));
        f.add(fn("path_filestat_set_times", (c, a) -> {
            DirFd d = dir(a[0]);
            readOnlyCheck(d.pre, "path_filestat_set_times");
            Resolved r = resolve(d, readPath(c.memory(), a[2], a[3]), (a[1] & 1) != 0);
            setTimes(r.host(), a[4], a[5], (int) a[6]);
            return Errno.SUCCESS;
        }));
        f.add(fn("path_create_directory", (c, a) -> {
            DirFd d = dir(a[0]);
            readOnlyCheck(d.pre, "path_create_directory");
            Resolved r = resolve(d, readPath(c.memory(), a[1], a[2]), false);
            if (r.comps.isEmpty()) {
                throw fail(Errno.EXIST);
            }
            Files.createDirectory(r.host());
            return Errno.SUCCESS;
        }));
        f.add(fn("path_unlink_file", (c, a) -> {
            DirFd d = dir(a[0]);
            readOnlyCheck(d.pre, "path_unlink_file");
            Resolved r = resolve(d, readPath(c.memory(), a[1], a[2]), false);
            BasicFileAttributes at = lstat(r.host());
            if (at.isDirectory()) {
                throw fail(Errno.ISDIR);
            }
            Files.delete(r.host());
            return Errno.SUCCESS;
        }));
        f.add(fn("path_remove_directory", (c, a) -> {
            DirFd d = dir(a[0]);
            readOnlyCheck(d.pre, "path_remove_directory");
            Resolved r = resolve(d, readPath(c.memory(), a[1], a[2]), false);
            if (r.comps.isEmpty()) {
                throw deny(Errno.BUSY, "a preopened directory cannot be removed");
            }
            if (!lstat(r.host()).isDirectory()) {
                throw fail(Errno.NOTDIR);
            }
            Files.delete(r.host());
            return Errno.SUCCESS;
        }));
        f.add(fn("path_rename", (c, a) -> {
            GuestMemory m = c.memory();
            DirFd od = dir(a[0]);
            DirFd nd = dir(a[3]);
            readOnlyCheck(od.pre, "path_rename (source)");
            readOnlyCheck(nd.pre, "path_rename (target)");
            Resolved from = resolve(od, readPath(m, a[1], a[2]), false);
            Resolved to = resolve(nd, readPath(m, a[4], a[5]), false);
            if (from.comps.isEmpty() || to.comps.isEmpty()) {
                throw deny(Errno.BUSY, "a preopened directory cannot be renamed or replaced");
            }
            if (lstat(from.host()).isSymbolicLink()) {
                // moving a link shallower could make it point out; a moved directory's links are
                // only contained by resolution (see the README)
                checkLinkTarget(Files.readSymbolicLink(from.host()).toString(), to.comps.size() - 1);
            }
            Files.move(from.host(), to.host(), StandardCopyOption.ATOMIC_MOVE);
            return Errno.SUCCESS;
        }));
        f.add(fn("path_symlink", (c, a) -> {
            GuestMemory m = c.memory();
            String target = readPath(m, a[0], a[1]);
            DirFd d = dir(a[2]);
            readOnlyCheck(d.pre, "path_symlink");
            Resolved r = resolve(d, readPath(m, a[3], a[4]), false);
            if (r.comps.isEmpty()) {
                throw fail(Errno.EXIST);
            }
            if (target.isEmpty()) {
                throw fail(Errno.NOENT);
            }
            // the link must stay inside where it is created; resolution re-checks wherever it moves
            checkLinkTarget(target, r.comps.size() - 1);
            Files.createSymbolicLink(r.host(), Path.of(target));
            return Errno.SUCCESS;
        }));
        f.add(fn("path_link", (c, a) -> {
            GuestMemory m = c.memory();
            DirFd od = dir(a[0]);
            DirFd nd = dir(a[4]);
            // both ends: a hard link from a read-only directory into a writable one would make
            // the read-only file writable through the new name
            readOnlyCheck(od.pre, "path_link (source)");
            readOnlyCheck(nd.pre, "path_link (target)");
            Resolved from = resolve(od, readPath(m, a[2], a[3]), (a[1] & 1) != 0);
            Resolved to = resolve(nd, readPath(m, a[5], a[6]), false);
            BasicFileAttributes at = lstat(from.host());
            if (!at.isRegularFile()) {
                throw fail(Errno.PERM);
            }
            if (to.comps.isEmpty()) {
                throw fail(Errno.EXIST);
            }
            Files.createLink(to.host(), from.host());
            return Errno.SUCCESS;
        }));
        f.add(fn("path_readlink", (c, a) -> {
            GuestMemory m = c.memory();
            Resolved r = resolve(dir(a[0]), readPath(m, a[1], a[2]), false);
            if (!lstat(r.host()).isSymbolicLink()) {
                throw fail(Errno.INVAL);
            }
            byte[] t = Files.readSymbolicLink(r.host()).toString().getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(t.length, Integer.toUnsignedLong((int) a[4]));
            m.write((int) a[3], t, 0, n);
            m.writeInt((int) a[5], n);
            return Errno.SUCCESS;
        }));
        if (f.size() != SIGNATURES.size()) {
            throw new AssertionError("WASI table incomplete: " + f.size() + " of " + SIGNATURES.size());
        }
        return f;
    }

    private static int sizes(GuestMemory m, long[] a, byte[][] strings) {
        long size = 0;
        for (byte[] s : strings) {
            size += s.length + 1;
        }
        m.writeInt((int) a[0], strings.length);
        m.writeInt((int) a[1], (int) size);
        return Errno.SUCCESS;
    }

    private static int strings(GuestMemory m, long[] a, byte[][] strings) {
        int ptrs = (int) a[0];
        int buf = (int) a[1];
        for (byte[] s : strings) {
            m.writeInt(ptrs, buf);
            m.write(buf, s);
            m.writeByte(buf + s.length, (byte) 0);
            ptrs += 4;
            buf += s.length + 1;
        }
        return Errno.SUCCESS;
    }

    private static void checkClockId(long id) throws Failure {
        if (id < 0 || id > 3) {
            throw fail(Errno.INVAL);
        }
    }

    private int clockTimeGet(HostContext c, long[] a) throws Failure {
        checkClockId(a[0]);
        if (!clockGranted) {
            // success, so language runtimes that treat a clock errno as fatal still run;
            // counted so the host sees the plugin asked
            denied("clock_time_get", Errno.SUCCESS, "no clock granted: reads 0");
        }
        c.memory().writeLong((int) a[2], a[0] == 0 ? clock.realtimeNanos() : clock.monotonicNanos());
        return Errno.SUCCESS;
    }

    private int randomGet(HostContext c, long[] a) throws Failure {
        if (random == null) {
            throw deny(Errno.NOTCAPABLE, "no randomness granted");
        }
        GuestMemory m = c.memory();
        long ptr = Integer.toUnsignedLong((int) a[0]);
        long len = Integer.toUnsignedLong((int) a[1]);
        if (ptr + len > m.size()) {
            m.read((int) a[0], (int) Math.min(len, Integer.MAX_VALUE)); // the guest's own bad range
            throw fail(Errno.INVAL);
        }
        for (long off = 0; off < len; off += CHUNK) {
            byte[] b = new byte[(int) Math.min(CHUNK, len - off)];
            random.nextBytes(b);
            m.write((int) (ptr + off), b);
        }
        return Errno.SUCCESS;
    }

    private int pollOneoff(HostContext c, long[] a) throws Failure {
        GuestMemory m = c.memory();
        int in = (int) a[0];
        int out = (int) a[1];
        long n = Integer.toUnsignedLong((int) a[2]);
        if (n == 0 || n > MAX_IOVS) {
            throw fail(Errno.INVAL);
        }
        int events = 0;
        long earliest = Long.MAX_VALUE;
        int earliestIndex = -1;
        List<Integer> fdSubs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int s = in + i * 48;
            int tag = m.readByte(s + 8);
            if (tag == 0) {
                if (!clockGranted) {
                    // Go's runtime panics when a sleep fails: return at once, like a fixed clock
                    denied("poll_oneoff", Errno.SUCCESS, "no clock granted: the sleep returns at once");
                }
                int id = m.readInt(s + 16);
                long timeout = m.readLong(s + 24);
                boolean abs = (m.readByte(s + 40) & 1) != 0;
                checkClockId(id);
                long now = id == 0 ? clock.realtimeNanos() : clock.monotonicNanos();
                long rel = abs ? timeout - now : timeout;
                if (rel < earliest) {
                    earliest = rel;
                    earliestIndex = i;
                }
            } else {
                fdSubs.add(i);
            }
        }
        // descriptors here never block: stdin is at EOF, outputs and files are always ready
        for (int i : fdSubs) {
            int s = in + i * 48;
            int e = out + events * 32;
            int tag = m.readByte(s + 8);
            int fdn = m.readInt(s + 16);
            int err = fds.containsKey(fdn) ? Errno.SUCCESS : Errno.BADF;
            m.writeLong(e, m.readLong(s));
            m.writeInt(e + 8, err | (tag << 16));
            m.writeLong(e + 16, 0);
            m.writeInt(e + 24, 0);
            events++;
        }
        if (events == 0 && earliestIndex >= 0) {
            if (earliest > 0) {
                sleep(earliest);
            }
            int s = in + earliestIndex * 48;
            int e = out;
            m.writeLong(e, m.readLong(s));
            m.writeInt(e + 8, 0);
            m.writeLong(e + 16, 0);
            m.writeInt(e + 24, 0);
            events = 1;
        }
        m.writeInt((int) a[3], events);
        return Errno.SUCCESS;
    }

    private void sleep(long nanos) {
        try {
            clock.sleepNanos(nanos);
        } catch (InterruptedException e) {
            // the plugin's deadline (or the host) interrupted us: end the call like a guest loop would
            Thread.currentThread().interrupt();
            throw new CallInterruptedException("poll_oneoff");
        }
    }

    private int fdWrite(GuestMemory m, long[] a, boolean positioned) throws Failure, IOException {
        Fd x = fd(a[0]);
        int iovs = (int) a[1];
        long n = Integer.toUnsignedLong((int) a[2]);
        long offset = positioned ? a[3] : 0;
        int resultPtr = (int) (positioned ? a[4] : a[3]);
        if (n > MAX_IOVS) {
            throw fail(Errno.INVAL);
        }
        if (x instanceof StdFd) {
            StdFd s = (StdFd) x;
            if (s.sink == null) {
                throw fail(Errno.BADF);
            }
            if (positioned) {
                throw fail(Errno.SPIPE);
            }
            long total = 0;
            for (int i = 0; i < n; i++) {
                int ptr = m.readInt(iovs + i * 8);
                int len = m.readInt(iovs + i * 8 + 4);
                for (long off = 0; off < Integer.toUnsignedLong(len); off += CHUNK) {
                    int chunk = (int) Math.min(CHUNK, Integer.toUnsignedLong(len) - off);
                    s.sink.write(m.read((int) (ptr + off), chunk), 0, chunk);
                }
                total += Integer.toUnsignedLong(len);
            }
            m.writeInt(resultPtr, (int) total);
            return Errno.SUCCESS;
        }
        if (x instanceof DirFd) {
            readOnlyCheck(((DirFd) x).pre, positioned ? "fd_pwrite" : "fd_write");
            throw fail(Errno.BADF);
        }
        FileFd f = (FileFd) x;
        readOnlyCheck(f.pre, positioned ? "fd_pwrite" : "fd_write");
        if (!f.writable) {
            throw fail(Errno.BADF);
        }
        if (positioned && offset < 0) {
            throw fail(Errno.INVAL);
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4));
        }
        charge(total);
        long pos = positioned ? offset : (f.append ? f.ch.size() : f.ch.position());
        for (int i = 0; i < n; i++) {
            int ptr = m.readInt(iovs + i * 8);
            long len = Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4));
            for (long off = 0; off < len; off += CHUNK) {
                ByteBuffer b = ByteBuffer.wrap(m.read((int) (ptr + off), (int) Math.min(CHUNK, len - off)));
                while (b.hasRemaining()) {
                    pos += f.ch.write(b, pos);
                }
            }
        }
        if (!positioned) {
            f.ch.position(pos);
        }
        m.writeInt(resultPtr, (int) total);
        return Errno.SUCCESS;
    }

    private int fdRead(GuestMemory m, long[] a, boolean positioned) throws Failure, IOException {
        Fd x = fd(a[0]);
        int iovs = (int) a[1];
        long n = Integer.toUnsignedLong((int) a[2]);
        int resultPtr = (int) (positioned ? a[4] : a[3]);
        if (n > MAX_IOVS) {
            throw fail(Errno.INVAL);
        }
        if (x instanceof StdFd) {
            if (((StdFd) x).sink != null) {
                throw fail(Errno.BADF);
            }
            if (positioned) {
                throw fail(Errno.SPIPE);
            }
            m.writeInt(resultPtr, 0); // stdin is always at end of file
            return Errno.SUCCESS;
        }
        if (x instanceof DirFd) {
            throw fail(Errno.ISDIR);
        }
        FileFd f = (FileFd) x;
        if (!f.readable) {
            throw fail(Errno.BADF);
        }
        long pos = positioned ? a[3] : f.ch.position();
        if (pos < 0) {
            throw fail(Errno.INVAL);
        }
        long total = 0;
        outer:
        for (int i = 0; i < n; i++) {
            int ptr = m.readInt(iovs + i * 8);
            long len = Integer.toUnsignedLong(m.readInt(iovs + i * 8 + 4));
            if (Integer.toUnsignedLong(ptr) + len > m.size()) {
                m.read(ptr, (int) Math.min(len, Integer.MAX_VALUE)); // the guest's own bad range
            }
            for (long off = 0; off < len; ) {
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(CHUNK, len - off));
                int got = f.ch.read(b, pos);
                if (got <= 0) {
                    break outer;
                }
                m.write((int) (ptr + off), b.array(), 0, got);
                off += got;
                pos += got;
                total += got;
                if (got < b.capacity()) {
                    break outer;
                }
            }
        }
        if (!positioned) {
            f.ch.position(pos);
        }
        m.writeInt(resultPtr, (int) total);
        return Errno.SUCCESS;
    }

    private int fdSeek(HostContext c, long[] a) throws Failure, IOException {
        Fd x = fd(a[0]);
        if (!(x instanceof FileFd)) {
            throw fail(x instanceof StdFd ? Errno.SPIPE : Errno.BADF);
        }
        FileChannel ch = ((FileFd) x).ch;
        long base;
        switch ((int) a[2]) {
            case 0:
                base = 0;
                break;
            case 1:
                base = ch.position();
                break;
            case 2:
                base = ch.size();
                break;
            default:
                throw fail(Errno.INVAL);
        }
        long pos = base + a[1];
        if (pos < 0) {
            throw fail(Errno.INVAL);
        }
        ch.position(pos);
        c.memory().writeLong((int) a[3], pos);
        return Errno.SUCCESS;
    }

    private int sync(long fdn, boolean metadata) throws Failure, IOException {
        Fd x = fd(fdn);
        if (x instanceof StdFd) {
            throw fail(Errno.INVAL);
        }
        if (x instanceof FileFd && ((FileFd) x).writable) {
            ((FileFd) x).ch.force(metadata);
        }
        return Errno.SUCCESS;
    }

    private FileFd writableFile(long fdn, String what) throws Failure {
        Fd x = fd(fdn);
        if (x instanceof DirFd) {
            readOnlyCheck(((DirFd) x).pre, what);
            throw fail(Errno.BADF);
        }
        if (!(x instanceof FileFd)) {
            throw fail(Errno.BADF);
        }
        FileFd f = (FileFd) x;
        readOnlyCheck(f.pre, what);
        if (!f.writable) {
            throw fail(Errno.BADF);
        }
        return f;
    }

    private void grow(FileFd f, long size) throws Failure, IOException {
        long cur = f.ch.size();
        if (size > cur) {
            charge(size - cur);
            f.ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
        }
    }

    private int fdstatGet(HostContext c, long[] a) throws Failure {
        Fd x = fd(a[0]);
        int type = x instanceof StdFd ? T_CHAR : x instanceof DirFd ? T_DIR : T_FILE;
        GuestMemory m = c.memory();
        int p = (int) a[1];
        m.writeLong(p, 0);
        m.writeByte(p, (byte) type);
        m.writeByte(p + 2, (byte) (x.append ? 1 : 0));
        m.writeLong(p + 8, x.rightsBase);
        m.writeLong(p + 16, x.rightsInheriting);
        return Errno.SUCCESS;
    }

    private int fdFilestatGet(HostContext c, long[] a) throws Failure, IOException {
        Fd x = fd(a[0]);
        GuestMemory m = c.memory();
        int p = (int) a[1];
        if (x instanceof StdFd) {
            for (int i = 0; i < 64; i += 8) {
                m.writeLong(p + i, 0);
            }
            m.writeByte(p + 16, (byte) T_CHAR);
            return Errno.SUCCESS;
        }
        if (x instanceof DirFd) {
            writeFilestat(m, p, self((DirFd) x).host(), -1);
        } else {
            FileFd f = (FileFd) x;
            writeFilestat(m, p, path(f), f.ch.size());
        }
        return Errno.SUCCESS;
    }

    private static void writeFilestat(GuestMemory m, int p, Path path, long size) throws IOException {
        BasicFileAttributes at = lstat(path);
        int type = at.isDirectory() ? T_DIR : at.isRegularFile() ? T_FILE : at.isSymbolicLink() ? T_SYMLINK : T_UNKNOWN;
        m.writeLong(p, unixAttr(path, "unix:dev"));
        m.writeLong(p + 8, unixAttr(path, "unix:ino"));
        m.writeLong(p + 16, 0);
        m.writeByte(p + 16, (byte) type);
        m.writeLong(p + 24, Math.max(1, unixAttr(path, "unix:nlink")));
        m.writeLong(p + 32, size >= 0 ? size : at.size());
        m.writeLong(p + 40, at.lastAccessTime().to(TimeUnit.NANOSECONDS));
        m.writeLong(p + 48, at.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        m.writeLong(p + 56, at.creationTime().to(TimeUnit.NANOSECONDS));
    }

    private static long unixAttr(Path p, String name) {
        try {
            Object v = Files.getAttribute(p, name, NOFOLLOW);
            return v instanceof Number ? ((Number) v).longValue() : 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0; // not a Unix file system: the guest sees 0, as WASI allows
        }
    }

    private void setTimes(Path p, long atim, long mtim, int flags) throws Failure, IOException {
        if (((flags & 1) != 0 && (flags & 2) != 0) || ((flags & 4) != 0 && (flags & 8) != 0)) {
            throw fail(Errno.INVAL);
        }
        // "now" is the plugin's clock, not the host's: the host's time must not leak through a stat
        long now = realtime();
        FileTime a = (flags & 1) != 0 ? FileTime.from(atim, TimeUnit.NANOSECONDS)
                : (flags & 2) != 0 ? FileTime.from(now, TimeUnit.NANOSECONDS) : null;
        FileTime mt = (flags & 4) != 0 ? FileTime.from(mtim, TimeUnit.NANOSECONDS)
                : (flags & 8) != 0 ? FileTime.from(now, TimeUnit.NANOSECONDS) : null;
        Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(mt, a, null);
    }

    private int fdReaddir(HostContext c, long[] a) throws Failure, IOException {
        Fd x = fd(a[0]);
        if (!(x instanceof DirFd)) {
            throw fail(Errno.NOTDIR);
        }
        GuestMemory m = c.memory();
        int buf = (int) a[1];
        long bufLen = Integer.toUnsignedLong((int) a[2]);
        long cookie = a[3];
        if (cookie < 0) {
            throw fail(Errno.INVAL);
        }
        Path dir = self((DirFd) x).host();
        // sorted: the same directory lists the same way on every run
        List<String> names = new ArrayList<>();
        names.add(".");
        names.add("..");
        List<String> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path child : ds) {
                children.add(child.getFileName().toString());
            }
        }
        children.sort(null);
        names.addAll(children);
        long used = 0;
        for (long i = cookie; i < names.size() && used < bufLen; i++) {
            String name = names.get((int) i);
            Path p = name.equals(".") || name.equals("..") ? dir : dir.resolve(name);
            int type = T_UNKNOWN;
            long ino = 0;
            BasicFileAttributes at = lstatOrNull(p);
            if (at != null) {
                type = at.isDirectory() ? T_DIR : at.isRegularFile() ? T_FILE : at.isSymbolicLink() ? T_SYMLINK : T_UNKNOWN;
                ino = name.equals("..") ? 0 : unixAttr(p, "unix:ino");
            }
            byte[] nb = name.getBytes(StandardCharsets.UTF_8);
            byte[] entry = new byte[24 + nb.length];
            ByteBuffer e = ByteBuffer.wrap(entry).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            e.putLong(0, i + 1);
            e.putLong(8, ino);
            e.putInt(16, nb.length);
            e.put(20, (byte) type);
            System.arraycopy(nb, 0, entry, 24, nb.length);
            int n = (int) Math.min(entry.length, bufLen - used);
            m.write((int) (buf + used), entry, 0, n);
            used += n;
        }
        m.writeInt((int) a[4], (int) used);
        return Errno.SUCCESS;
    }

    private int pathOpen(HostContext c, long[] a) throws Failure, IOException {
        GuestMemory m = c.memory();
        DirFd d = dir(a[0]);
        boolean followFinal = (a[1] & 1) != 0;
        String path = readPath(m, a[2], a[3]);
        int oflags = (int) a[4];
        long rb = a[5];
        int fdflags = (int) a[7];
        boolean creat = (oflags & 1) != 0;
        boolean directory = (oflags & 2) != 0;
        boolean excl = (oflags & 4) != 0;
        boolean trunc = (oflags & 8) != 0;
        boolean append = (fdflags & 1) != 0;
        boolean wantWrite = (rb & (FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE)) != 0;
        boolean wantRead = (rb & (FD_READ | FD_READDIR)) != 0;
        if (d.pre.readOnly() && (creat || trunc || wantWrite || append)) {
            throw deny(Errno.ROFS, "path_open for writing in read-only directory '" + d.pre.guestPath() + "'");
        }
        if (fds.size() >= MAX_FDS) {
            throw fail(Errno.MFILE);
        }
        Resolved r = resolve(d, path, followFinal);
        Path p = r.host();
        BasicFileAttributes at = lstatOrNull(p);
        if (at != null) {
            if (creat && excl) {
                throw fail(Errno.EXIST);
            }
            if (at.isSymbolicLink()) {
                throw fail(Errno.LOOP); // O_NOFOLLOW on a symlink
            }
            if (at.isDirectory()) {
                if (wantWrite || trunc || append) {
                    throw fail(Errno.ISDIR);
                }
                return newFd(m, (int) a[8], new DirFd(r.pre, List.copyOf(r.comps), null, rb & DIR_RIGHTS,
                        a[6] & (DIR_RIGHTS | FILE_RIGHTS)));
            }
            if (directory) {
                throw fail(Errno.NOTDIR);
            }
            if (!at.isRegularFile()) {
                throw fail(Errno.ACCES); // devices and FIFOs could block the host thread or reach hardware
            }
        } else {
            if (!creat) {
                throw fail(Errno.NOENT);
            }
            if (directory) {
                throw fail(Errno.INVAL);
            }
        }
        Set<OpenOption> opts = new HashSet<>();
        opts.add(NOFOLLOW);
        if (wantRead || !wantWrite) {
            opts.add(StandardOpenOption.READ);
        }
        if (wantWrite || creat || trunc) {
            opts.add(StandardOpenOption.WRITE);
        }
        if (creat) {
            opts.add(excl ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
        }
        if (trunc) {
            opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        }
        FileChannel ch = FileChannel.open(p, opts);
        FileFd f = new FileFd(r.pre, List.copyOf(r.comps), ch, opts.contains(StandardOpenOption.READ), wantWrite);
        f.rightsBase = rb & FILE_RIGHTS & (wantWrite ? ~0L : ~(FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE));
        f.rightsInheriting = a[6] & FILE_RIGHTS;
        f.append = append;
        try {
            return newFd(m, (int) a[8], f);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private int newFd(GuestMemory m, int resultPtr, Fd f) {
        int n = 0;
        while (fds.containsKey(n)) {
            n++;
        }
        m.writeInt(resultPtr, n); // first: a bad pointer leaves no descriptor behind
        fds.put(n, f);
        return Errno.SUCCESS;
    }
}
