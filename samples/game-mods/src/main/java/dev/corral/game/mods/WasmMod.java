package dev.corral.game.mods;

import dev.corral.Corral;
import dev.corral.ExternKind;
import dev.corral.FunctionSignature;
import dev.corral.ImportDescriptor;
import dev.corral.Plugin;
import dev.corral.PluginFunction;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import dev.corral.PluginSnapshot;
import dev.corral.ValueType;
import java.util.List;
import java.util.Set;

/**
 * A {@code .wasm} mod: exports {@code on_tick(i64)} and maybe {@code on_load()}, imports only
 * {@code game}, {@code corral_log} and WASI. A reactor's {@code _initialize} (or a start
 * function) and {@code on_load} are the instance's initialization: one budget for them together,
 * the policy's {@code initFuel}/{@code initTimeout} (the host's load limits); each tick gets the
 * policy's per-call fuel and timeout.
 */
final class WasmMod implements ModRuntime {
    static final Set<String> ALLOWED_IMPORTS = Set.of("game", "corral_log", "wasi_snapshot_preview1");
    private static final FunctionSignature ON_TICK = FunctionSignature.of(List.of(ValueType.I64), List.of());
    private static final FunctionSignature ON_LOAD = FunctionSignature.of(List.of(), List.of());

    private final Plugin plugin;
    private final PluginFunction onTick;

    private WasmMod(Plugin plugin) {
        this.plugin = plugin;
        this.onTick = plugin.function("on_tick");
    }

    /** Loads, checks the mod contract, instantiates and runs {@code on_load}; any failure refuses the mod. */
    static WasmMod load(Corral corral, ModSource source, PluginPolicy policy) {
        PluginModule module = corral.loader().name(source.name()).load(source.bytes());
        for (ImportDescriptor im : module.imports()) {
            if (!ALLOWED_IMPORTS.contains(im.module())) {
                throw new IllegalArgumentException("it imports " + im.module() + "." + im.name()
                        + ", but a mod may import only game, corral_log and wasi_snapshot_preview1");
            }
        }
        FunctionSignature tick = module.exportedFunction("on_tick").orElseThrow(
                () -> new IllegalArgumentException("it exports no function on_tick(i64)"));
        if (!tick.equals(ON_TICK)) {
            throw new IllegalArgumentException("its on_tick is " + tick + ", but a mod's on_tick takes one i64 and returns nothing");
        }
        var load = module.exportedFunction("on_load");
        if (load.isPresent() && !load.get().equals(ON_LOAD)) {
            throw new IllegalArgumentException("its on_load is " + load.get() + ", but a mod's on_load takes and returns nothing");
        }
        if (module.exports().stream().anyMatch(e -> e.kind() == ExternKind.FUNCTION && e.name().equals("_start"))
                && module.exportedFunction("_initialize").isEmpty()) {
            throw new IllegalArgumentException("it is a WASI command (_start): build a reactor or a library, e.g."
                    + " clang -mexec-model=reactor, rustc --crate-type cdylib");
        }
        boolean onLoad = load.isPresent();
        // a failure of on_load closes the plugin and propagates: the mod is refused
        Plugin plugin = module.instantiate(policy, p -> {
            if (onLoad) {
                p.call("on_load");
            }
        });
        try {
            return new WasmMod(plugin);
        } catch (RuntimeException e) {
            plugin.close();
            throw e;
        }
    }

    @Override
    public void tick(long tick) {
        onTick.callRaw(tick);
    }

    @Override
    public PluginSnapshot snapshot() {
        return plugin.snapshot();
    }

    @Override
    public void restore(PluginSnapshot snapshot) {
        plugin.restore(snapshot);
    }

    @Override
    public long fuelTotal() {
        return plugin.fuelConsumedTotal();
    }

    @Override
    public void close() {
        plugin.close();
    }
}
