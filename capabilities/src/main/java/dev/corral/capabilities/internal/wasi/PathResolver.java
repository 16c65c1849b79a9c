package dev.corral.capabilities.internal.wasi;

import dev.corral.capabilities.internal.Preopen;
import dev.corral.spi.GuestMemory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Guest paths to host paths, never leaving the preopen: every path is resolved here, component
 * by component from the preopen's real root, never by the OS. {@code ..} is lexical and may not
 * climb above the root; absolute paths are refused; each symlink met on the way (and the last
 * component when the guest asks to follow) is read and spliced in, refused if absolute or if it
 * climbs above the root. The result names only real directories below the root, plus possibly a
 * last component that is a symlink (operations on it use NOFOLLOW). Callers hold the
 * {@link NamespaceLock} from resolution to the OS call.
 */
final class PathResolver {
    static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int MAX_PATH = 4096;
    private static final int MAX_SYMLINKS = 32;
    /** Where '\\' and ':' are separators or drive letters, a guest name containing them could climb out. */
    private static final boolean FOREIGN_SEPARATORS = java.io.File.separatorChar != '/';

    private PathResolver() {}

    /** A path resolved inside a preopen; {@code dirOnly} when the guest wrote a trailing slash. */
    static final class Resolved {
        final Preopen pre;
        final List<String> comps;
        final boolean dirOnly;

        Resolved(Preopen pre, List<String> comps, boolean dirOnly) {
            this.pre = pre;
            this.comps = comps;
            this.dirOnly = dirOnly;
        }

        Path host() {
            return hostPath(pre, comps);
        }

        /** POSIX: a trailing slash names a directory; on anything else it is ENOTDIR. */
        void checkTrailingSlash(BasicFileAttributes at) throws Failure {
            if (dirOnly && at != null && !at.isDirectory()) {
                throw Failure.fail(Errno.NOTDIR);
            }
        }
    }

    static Path hostPath(Preopen pre, List<String> comps) {
        return comps.isEmpty() ? pre.root() : pre.root().resolve(String.join("/", comps));
    }

    static String read(GuestMemory m, long ptr, long len) throws Failure {
        if (len < 0 || len > MAX_PATH) {
            throw Failure.fail(Errno.NAMETOOLONG);
        }
        byte[] b = m.read((int) ptr, (int) len);
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw Failure.fail(Errno.ILSEQ);
        }
        if (s.indexOf('\0') >= 0) {
            throw Failure.fail(Errno.INVAL);
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
     * Resolves {@code path} relative to directory {@code d}. Like a capability (and Wasmtime's
     * cap-std), the path may not climb above {@code d} itself, by {@code ..} or by a symlink,
     * even where that would stay inside the preopen. The directory's own components are
     * re-checked first (they were real directories when it was opened, but may have changed).
     */
    static Resolved resolve(Fd.Dir d, String path, boolean followFinal) throws Failure, IOException {
        if (path.isEmpty()) {
            throw Failure.fail(Errno.NOENT);
        }
        if (path.startsWith("/")) {
            throw Failure.deny(Errno.NOTCAPABLE, "absolute path '" + path + "'");
        }
        List<String> base = List.of();
        if (!d.comps.isEmpty()) {
            base = walk(d.pre, new ArrayDeque<>(d.comps), List.of(), true, path);
        }
        boolean trailing = path.endsWith("/");
        Deque<String> todo = new ArrayDeque<>();
        split(path, todo, false);
        return new Resolved(d.pre, walk(d.pre, todo, base, followFinal || trailing, path), trailing);
    }

    /** Walks {@code todo} from {@code start}, never above {@code start}; only real directories on the way. */
    private static List<String> walk(Preopen pre, Deque<String> todo, List<String> start, boolean follow, String path)
            throws Failure, IOException {
        int floor = start.size();
        List<String> stack = new ArrayList<>(start);
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals("..")) {
                if (stack.size() <= floor) {
                    throw Failure.deny(Errno.NOTCAPABLE, "'" + path + "' climbs out of its directory");
                }
                stack.remove(stack.size() - 1);
                continue;
            }
            if (FOREIGN_SEPARATORS && (c.indexOf('\\') >= 0 || c.indexOf(':') >= 0)) {
                throw Failure.deny(Errno.NOTCAPABLE, "'" + path + "' has a name the host would split");
            }
            stack.add(c);
            if (todo.isEmpty() && !follow) {
                break;
            }
            Path p = hostPath(pre, stack);
            if (Files.isSymbolicLink(p)) {
                if (++links > MAX_SYMLINKS) {
                    throw Failure.fail(Errno.LOOP);
                }
                String target = Files.readSymbolicLink(p).toString();
                stack.remove(stack.size() - 1);
                if (target.isEmpty()) {
                    throw Failure.fail(Errno.NOENT);
                }
                if (target.startsWith("/")) {
                    throw Failure.deny(Errno.NOTCAPABLE, "'" + path + "' goes through a symlink to absolute path '" + target + "'");
                }
                split(target, todo, true);
            }
        }
        return stack;
    }

    static Resolved self(Fd.Dir d) throws Failure, IOException {
        return resolve(d, ".", true);
    }

    /**
     * The path an open file was opened at, re-resolved: the few calls Java can only make by path
     * (set_times, stat) must not follow a directory the guest has since swapped for a symlink.
     */
    static Path path(Fd.File f) throws Failure, IOException {
        return resolve(new Fd.Dir(f.pre, List.of(), null, 0, 0), String.join("/", f.comps), false).host();
    }

    /** A symlink's target, seen from a link whose parent is {@code depth} levels below the root, must stay inside. */
    static void checkLinkTarget(String target, int depth) throws Failure {
        if (target.startsWith("/")) {
            throw Failure.deny(Errno.NOTCAPABLE, "symlink to absolute path '" + target + "'");
        }
        for (String comp : target.split("/")) {
            if (comp.equals("..")) {
                if (--depth < 0) {
                    throw Failure.deny(Errno.NOTCAPABLE, "symlink target '" + target + "' leaves the preopened directory");
                }
            } else if (!comp.isEmpty() && !comp.equals(".")) {
                depth++;
            }
        }
    }

    static BasicFileAttributes lstat(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
    }

    static BasicFileAttributes lstatOrNull(Path p) throws IOException {
        try {
            return lstat(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
