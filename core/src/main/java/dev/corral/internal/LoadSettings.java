package dev.corral.internal;

import dev.corral.LoadLimits;
import dev.corral.WasmFeature;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What one load may accept: its {@link LoadLimits} and the {@link WasmFeature}s enabled. Kept with
 * the loaded module, because its fuel-metered variant is built later under the same settings.
 */
public record LoadSettings(LoadLimits limits, Set<WasmFeature> features) {
    public static final LoadSettings DEFAULTS = new LoadSettings(LoadLimits.defaults(), WasmFeature.DEFAULTS);

    public LoadSettings {
        features = Collections.unmodifiableSet(features.isEmpty() ? EnumSet.noneOf(WasmFeature.class) : EnumSet.copyOf(features));
    }

    public LoadSettings withLimits(LoadLimits l) {
        return new LoadSettings(l, features);
    }

    /** These settings with {@code f} enabled (or disabled); enabling a feature Corral cannot run is an error. */
    public LoadSettings with(WasmFeature f, boolean on) {
        if (on && !f.supported()) {
            throw new IllegalArgumentException(f.describe() + " cannot be enabled: Corral's runtime does not support it");
        }
        var set = features.isEmpty() ? EnumSet.noneOf(WasmFeature.class) : EnumSet.copyOf(features);
        if (on) {
            set.add(f);
        } else {
            set.remove(f);
        }
        return new LoadSettings(limits, set);
    }
}
