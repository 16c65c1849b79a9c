package dev.corral.game.mods;

import dev.corral.PluginPolicy;
import dev.corral.PluginSnapshot;
import dev.corral.js.JsEngine;
import dev.corral.js.JsPlugin;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A {@code .js} mod: a script that defines {@code function onTick(tick)} and maybe
 * {@code onLoad()}, with the game API as the global object {@code game}. The engine's start-up and
 * the script's top-level code run once, at load, under the policy's initialization limits (the
 * load fuel and timeout); {@code onLoad} right after, with the same limits as a budget of its own.
 * Each tick runs under the policy's per-call limits.
 */
final class ScriptMod implements ModRuntime {
    private final JsPlugin js;

    private ScriptMod(JsPlugin js) {
        this.js = js;
    }

    static <A> ScriptMod load(JsEngine engine, ModSource source, PluginPolicy policy, String apiName, Class<A> api, A impl,
            ModLog log, long randomSeed, long loadFuel, java.time.Duration loadTimeout) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(source.bytes())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the script is not UTF-8 text");
        }
        JsPlugin js = engine.plugin(source.name())
                .script(source.fileName(), text)
                .policy(policy)
                .expose(apiName, api, impl)
                .console(log::console)
                .randomSeed(randomSeed)
                .restoreAfterFailure(false) // the host restores the tick's own snapshot
                .build();
        try {
            if (!js.hasFunction("onTick")) {
                throw new IllegalArgumentException("it defines no function onTick(tick)");
            }
            if (js.hasFunction("onLoad")) {
                js.callWithLimits(loadTimeout, loadFuel, "onLoad");
            }
            return new ScriptMod(js);
        } catch (RuntimeException e) {
            js.close();
            throw e;
        }
    }

    @Override
    public void tick(long tick) {
        js.call("onTick", tick);
    }

    @Override
    public PluginSnapshot snapshot() {
        return js.snapshot();
    }

    @Override
    public void restore(PluginSnapshot snapshot) {
        js.restore(snapshot);
    }

    @Override
    public long fuelTotal() {
        return js.plugin().fuelConsumedTotal();
    }

    @Override
    public void close() {
        js.close();
    }
}
