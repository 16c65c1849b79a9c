package dev.corral;

import dev.corral.internal.Engine;
import dev.corral.internal.LoadSettings;
import dev.corral.internal.IoMessages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Loads one module with settings of its own. Obtained from {@link Corral#loader()}; not shared.
 *
 * <pre>{@code
 * PluginModule m = corral.loader().name("greeter").sha256("9f86d0...").load(bytes);
 * }</pre>
 */
public final class ModuleLoader {
    private final Engine engine;
    private String name;
    private String sha256;
    private ExecutionMode mode;
    private LoadSettings settings;
    private boolean tiered;

    ModuleLoader(Engine engine) {
        this.engine = engine;
        this.mode = engine.defaultMode();
        this.settings = engine.loadSettings();
        this.tiered = engine.tiered();
    }

    /** A name for messages and logs; defaults to the file name, or {@code plugin}. */
    public ModuleLoader name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Refuse the bytes unless their SHA-256 is this (hex, any case). */
    public ModuleLoader sha256(String hex) {
        Objects.requireNonNull(hex, "hex");
        var h = hex.trim().toLowerCase(Locale.ROOT);
        if (h.length() != 64 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a SHA-256 in hex: '" + hex + "'");
        }
        this.sha256 = h;
        return this;
    }

    /**
     * Tiered compilation (compiled mode only): when the compile cache does not hold the module yet,
     * {@code load} returns once the module is parsed and validated, instances run in the
     * interpreter, and the compiler works on the engine's background thread; instances created
     * after it finishes run compiled ({@link PluginModule#awaitCompiled} waits for that; pools
     * replace their interpreted instances as they come back). Fuel counts are the same in both
     * modes, so a metered plugin sees no difference but speed. Default: the engine's
     * ({@link Corral.Builder#tieredCompilation}).
     */
    public ModuleLoader tiered(boolean tiered) {
        this.tiered = tiered;
        return this;
    }

    /**
     * Whether instances of this module will run with fuel ({@link PluginPolicy#fuel}): then the load
     * compiles the fuel-metered variant, the one such policies run, and not the plain one, which
     * is compiled the first time a policy without fuel (or {@link PluginModule#compileFacts()})
     * needs it. Without this (the default) the load compiles the plain variant and the first
     * policy with fuel compiles the metered one: a host that only runs metered plugins would
     * compile twice. Fuel counts and results do not depend on it.
     */
    public ModuleLoader metered(boolean metered) {
        settings = settings.withMetered(metered);
        return this;
    }

    public ModuleLoader executionMode(ExecutionMode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** Limits on the module's size and shape and on the time loading it takes; default: the engine's. */
    public ModuleLoader limits(LoadLimits limits) {
        settings = settings.withLimits(Objects.requireNonNull(limits, "limits"));
        return this;
    }

    /**
     * Accepts modules that use {@code feature}, e.g. {@link WasmFeature#GC} for a trusted module.
     *
     * @throws IllegalArgumentException for a feature Corral cannot run ({@link WasmFeature#supported()})
     */
    public ModuleLoader enable(WasmFeature feature) {
        settings = settings.with(Objects.requireNonNull(feature, "feature"), true);
        return this;
    }

    /** Refuses modules that use {@code feature}. */
    public ModuleLoader disable(WasmFeature feature) {
        settings = settings.with(Objects.requireNonNull(feature, "feature"), false);
        return this;
    }

    /**
     * Parses and validates {@code wasm} without compiling it: imports, exports, memories and the
     * entry points are known at once, {@link ModuleInfo#checkLinkable} tells whether a policy
     * links it, and {@link ModuleInfo#compile()} goes on from the same parse with this loader's
     * settings (execution mode, tiered). Bytes the compile cache already holds were validated
     * before and are only decoded, as {@link #load} does.
     */
    public ModuleInfo inspect(byte[] wasm) {
        Objects.requireNonNull(wasm, "wasm");
        return engine.inspect(name == null ? "plugin" : name, wasm.clone(), sha256, mode, tiered, settings);
    }

    /** As {@link #inspect(byte[])}, from a file; the module is named after it unless named. */
    public ModuleInfo inspect(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] bytes = read(file);
        var n = name != null ? name : stripExtension(file.getFileName() == null ? "plugin" : file.getFileName().toString());
        return engine.inspect(n, bytes, sha256, mode, tiered, settings);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNREADABLE,
                    "cannot read module file '" + file + "': " + IoMessages.describe(e), e);
        }
    }

    public PluginModule load(byte[] wasm) {
        Objects.requireNonNull(wasm, "wasm");
        return engine.load(name == null ? "plugin" : name, wasm.clone(), sha256, mode, tiered, settings);
    }

    public PluginModule load(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] bytes = read(file);
        var n = name != null ? name : stripExtension(file.getFileName() == null ? "plugin" : file.getFileName().toString());
        return engine.load(n, bytes, sha256, mode, tiered, settings);
    }

    public PluginModule load(InputStream in) {
        Objects.requireNonNull(in, "in");
        byte[] bytes;
        try {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNREADABLE, "cannot read module stream: " + IoMessages.describe(e), e);
        }
        return engine.load(name == null ? "plugin" : name, bytes, sha256, mode, tiered, settings);
    }

    /** Loads a module from the classpath of {@code anchor}'s class loader, e.g. {@code "/plugins/x.wasm"}. */
    public PluginModule loadResource(Class<?> anchor, String resource) {
        Objects.requireNonNull(resource, "resource");
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ModuleLoadException(ModuleLoadException.Reason.UNREADABLE,
                        "no classpath resource '" + resource + "' visible from " + anchor.getName());
            }
            if (name == null) {
                var slash = resource.lastIndexOf('/');
                name = stripExtension(resource.substring(slash + 1));
            }
            return load(in);
        } catch (IOException e) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNREADABLE, "cannot read resource '" + resource + "': "
                    + IoMessages.describe(e), e);
        }
    }

    static String stripExtension(String fileName) {
        return fileName.endsWith(".wasm") ? fileName.substring(0, fileName.length() - 5) : fileName;
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
