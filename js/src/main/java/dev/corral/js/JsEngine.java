package dev.corral.js;

import dev.corral.Corral;
import dev.corral.ModuleLoadException;
import dev.corral.PluginModule;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The JavaScript engine, QuickJS, loaded into one {@link Corral}: compiled once (a few seconds the
 * first time, a compile-cache hit afterwards) and shared by every {@link JsPlugin} made from it.
 * Thread-safe.
 *
 * <pre>{@code
 * JsEngine js = JsEngine.load(corral);
 * try (JsPlugin plugin = js.plugin("greeter")
 *         .script("function greet(name) { return 'Hello, ' + name + '!'; }")
 *         .policy(PluginPolicy.builder().fuel(5_000_000).timeout(Duration.ofSeconds(5)).build())
 *         .build()) {
 *     Object hello = plugin.call("greet", "Corral");   // "Hello, Corral!"
 * }
 * }</pre>
 */
public final class JsEngine {
    /** SHA-256 of the bundled {@code quickjs.wasm} (npm quickjs-wasi 3.6.2): the loader refuses other bytes. */
    public static final String QUICKJS_SHA256 = "d4c9375f2b1ca4dc95f72c8aa2982a7a9951ac8011490d79c6582df732b4bbd9";
    /** The npm package the engine comes from. */
    public static final String QUICKJS_PACKAGE = "quickjs-wasi@3.6.2";

    private final Corral corral;
    private final PluginModule module;

    private JsEngine(Corral corral, PluginModule module) {
        this.corral = corral;
        this.module = module;
    }

    /** Loads and compiles QuickJS in {@code corral}'s default execution mode. */
    public static JsEngine load(Corral corral) {
        Objects.requireNonNull(corral, "corral");
        byte[] wasm;
        try (InputStream in = JsEngine.class.getResourceAsStream("quickjs.wasm")) {
            if (in == null) {
                throw new ModuleLoadException(ModuleLoadException.Reason.UNREADABLE,
                        "corral-js is missing quickjs.wasm (built from " + QUICKJS_PACKAGE + " by js/install-quickjs.sh)");
            }
            wasm = in.readAllBytes();
        } catch (IOException e) {
            throw new ModuleLoadException(ModuleLoadException.Reason.UNREADABLE, "cannot read quickjs.wasm: " + e, e);
        }
        return new JsEngine(corral, corral.loader().name("quickjs").sha256(QUICKJS_SHA256).load(wasm));
    }

    /** A builder for a plugin running one script on this engine. */
    public JsPlugin.Builder plugin(String name) {
        return new JsPlugin.Builder(this, name);
    }

    /** The compiled QuickJS module every plugin of this engine instantiates. */
    public PluginModule module() {
        return module;
    }

    public Corral corral() {
        return corral;
    }
}
