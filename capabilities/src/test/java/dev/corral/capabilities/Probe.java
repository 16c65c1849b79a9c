package dev.corral.capabilities;

import dev.corral.Corral;
import dev.corral.FunctionSignature;
import dev.corral.Plugin;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.ValueType;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Drives probe.wat: a guest issuing raw WASI calls with paths the test chooses. */
final class Probe implements AutoCloseable {
    /** The write rights (fd_write, fd_allocate, fd_filestat_set_size). */
    static final long WRITE = (1L << 6) | (1L << 8) | (1L << 22);
    /** Every other right, as wasi-libc asks for: what a file or directory opened for reading may do. */
    static final long READ = ((1L << 29) - 1) & ~WRITE;
    static final int O_CREAT = 1;
    static final int O_DIRECTORY = 2;
    static final int O_EXCL = 4;
    static final int O_TRUNC = 8;
    static final int FOLLOW = 1;
    static final int APPEND = 1;

    private static final Corral CORRAL = Corral.builder().build();
    private static final PluginModule MODULE = CORRAL.load(Probe.class.getResourceAsStream("/wasm/probe.wasm"));

    private final String[] strings = {"", ""};
    final Plugin plugin;

    Probe(Wasi wasi) {
        this(wasi, b -> {});
    }

    /** With more policy settings (a timeout, say) on top of the grant. */
    Probe(Wasi wasi, java.util.function.Consumer<PluginPolicy.Builder> policy) {
        var get = HostFunctionDef.of("probe", "get",
                FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of(ValueType.I32)), (ctx, a) -> {
                    byte[] b = strings[(int) a[0]].getBytes(StandardCharsets.UTF_8);
                    ctx.memory().write((int) a[1], b);
                    return new long[] {b.length};
                });
        var b = PluginPolicy.builder()
                .hostModule(HostModuleDef.of("probe", List.of(get)))
                .grant(wasi);
        policy.accept(b);
        plugin = MODULE.instantiate(b.build());
    }

    static PluginModule module() {
        return MODULE;
    }

    Probe a(String s) {
        strings[0] = s;
        return this;
    }

    Probe b(String s) {
        strings[1] = s;
        return this;
    }

    int call(String fn, Object... args) {
        return plugin.call(fn, args).getInt(0);
    }

    int open(int dir, int lookup, int oflags, long rights, int fdflags, String path) {
        a(path);
        return call("open", dir, lookup, oflags, rights, fdflags);
    }

    int result() {
        return call("result");
    }

    long result64() {
        return plugin.call("result64").getLong(0);
    }

    @Override
    public void close() {
        plugin.close();
    }

    /** Everything under {@code dir}, symlinks not followed: path -> type, link target or content digest, mtime. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String key = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(key, "link " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(key, "dir " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
                } else {
                    out.put(key, "file " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(Files.readAllBytes(p))) + " " + Files.getLastModifiedTime(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
