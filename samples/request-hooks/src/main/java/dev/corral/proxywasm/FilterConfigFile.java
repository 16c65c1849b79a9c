package dev.corral.proxywasm;

import dev.corral.Corral;
import dev.corral.CorralException;
import dev.corral.ExecutionMode;
import dev.corral.ModuleLoader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Filters from a small properties file, for deployments configured outside code:
 *
 * <pre>
 * filters = auth, stamp                  # the chain, in order
 * auth.wasm = filters/auth.wasm          # relative to this file
 * auth.config = {"header": "x-api-key"}  # plugin configuration, or @file
 * auth.fail = closed                     # or open; per kind: auth.fail.timeout = open
 * auth.timeout = 50ms                    # per callback
 * auth.fuel = 10000000                   # per callback
 * auth.max-memory = 16MiB                # per VM
 * stamp.wasm = filters/stamp.wasm
 * stamp.root-id = add_header
 * </pre>
 *
 * Other keys per filter: {@code vm-config}, {@code vm-id}, {@code workers}, {@code sha256} (pin the
 * module's bytes), {@code interpreter = true}. An unknown key is an error, so a typo never
 * silently drops a limit.
 */
public final class FilterConfigFile {
    private static final Set<String> KEYS = Set.of("wasm", "config", "vm-config", "root-id", "vm-id", "fail", "timeout",
            "fuel", "max-memory", "workers", "sha256", "interpreter");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(us|ms|s|m)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)(|B|KiB|MiB|GiB)");

    private FilterConfigFile() {}

    /**
     * Loads and builds every filter the file lists, in order (the caller closes them).
     *
     * @throws IllegalArgumentException for a malformed file (the message names the key)
     * @throws CorralException if a module does not load or a filter does not start
     */
    public static List<ProxyWasmFilter> load(Corral corral, Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Path dir = file.toAbsolutePath().getParent();
        String list = p.getProperty("filters", "").trim();
        if (list.isEmpty()) {
            throw new IllegalArgumentException(file + ": no 'filters = name, ...' line");
        }
        List<String> names = new ArrayList<>();
        for (String n : list.split("\\s*,\\s*")) {
            if (!n.matches("[A-Za-z0-9_-]+") || names.contains(n)) {
                throw new IllegalArgumentException(file + ": bad or repeated filter name '" + n + "' in 'filters'");
            }
            names.add(n);
        }
        Set<String> seen = new HashSet<>(List.of("filters"));
        for (String n : names) {
            for (String k : KEYS) {
                seen.add(n + "." + k);
            }
            for (FaultKind kind : FaultKind.values()) {
                seen.add(n + ".fail." + kind.name().toLowerCase(Locale.ROOT));
            }
        }
        for (String k : p.stringPropertyNames()) {
            if (!seen.contains(k)) {
                throw new IllegalArgumentException(file + ": unknown key '" + k + "'");
            }
        }
        List<ProxyWasmFilter> out = new ArrayList<>();
        try {
            for (String n : names) {
                out.add(build(corral, dir, p, n));
            }
        } catch (RuntimeException | IOException e) {
            out.forEach(ProxyWasmFilter::close);
            throw e;
        }
        return out;
    }

    private static ProxyWasmFilter build(Corral corral, Path dir, Properties p, String n) throws IOException {
        String wasm = p.getProperty(n + ".wasm");
        if (wasm == null) {
            throw new IllegalArgumentException("filter '" + n + "' has no '" + n + ".wasm'");
        }
        ModuleLoader loader = corral.loader().name(n);
        if (p.getProperty(n + ".sha256") != null) {
            loader.sha256(p.getProperty(n + ".sha256"));
        }
        if (Boolean.parseBoolean(p.getProperty(n + ".interpreter", "false"))) {
            loader.executionMode(ExecutionMode.INTERPRETED);
        }
        var b = ProxyWasmFilter.builder(loader.load(dir.resolve(wasm))).name(n);
        if (p.getProperty(n + ".config") != null) {
            b.pluginConfig(text(dir, p.getProperty(n + ".config")));
        }
        if (p.getProperty(n + ".vm-config") != null) {
            b.vmConfig(text(dir, p.getProperty(n + ".vm-config")));
        }
        if (p.getProperty(n + ".root-id") != null) {
            b.rootId(p.getProperty(n + ".root-id").trim());
        }
        if (p.getProperty(n + ".vm-id") != null) {
            b.vmId(p.getProperty(n + ".vm-id").trim());
        }
        if (p.getProperty(n + ".fail") != null) {
            b.failStrategy(strategy(n + ".fail", p.getProperty(n + ".fail")));
        }
        for (FaultKind kind : FaultKind.values()) {
            String key = n + ".fail." + kind.name().toLowerCase(Locale.ROOT);
            if (p.getProperty(key) != null) {
                b.failStrategy(kind, strategy(key, p.getProperty(key)));
            }
        }
        if (p.getProperty(n + ".timeout") != null) {
            b.timeout(duration(n + ".timeout", p.getProperty(n + ".timeout")));
        }
        if (p.getProperty(n + ".fuel") != null) {
            b.fuel(number(n + ".fuel", p.getProperty(n + ".fuel")));
        }
        if (p.getProperty(n + ".max-memory") != null) {
            b.maxMemory(size(n + ".max-memory", p.getProperty(n + ".max-memory")));
        }
        if (p.getProperty(n + ".workers") != null) {
            b.workers((int) number(n + ".workers", p.getProperty(n + ".workers")));
        }
        return b.build();
    }

    /** {@code @file} reads the file (relative to the config's directory); anything else is the text itself. */
    static String text(Path dir, String value) throws IOException {
        return value.startsWith("@") ? Files.readString(dir.resolve(value.substring(1)), StandardCharsets.UTF_8) : value;
    }

    static FailStrategy strategy(String key, String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "open": return FailStrategy.FAIL_OPEN;
            case "closed": return FailStrategy.FAIL_CLOSED;
            default: throw new IllegalArgumentException(key + ": '" + v + "' is neither 'open' nor 'closed'");
        }
    }

    static Duration duration(String key, String v) {
        Matcher m = DURATION.matcher(v.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a positive duration (e.g. 500us, 50ms, 2s, 1m)");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "us": return Duration.ofNanos(n * 1000);
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            default: return Duration.ofMinutes(n);
        }
    }

    static long size(String key, String v) {
        Matcher m = SIZE.matcher(v.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a size (e.g. 65536, 64KiB, 16MiB)");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "KiB": return n << 10;
            case "MiB": return n << 20;
            case "GiB": return n << 30;
            default: return n;
        }
    }

    static long number(String key, String v) {
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": '" + v + "' is not a positive number");
    }
}
