package dev.corral.internal;

import dev.corral.LoadLimits;
import dev.corral.WasmFeature;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * What one load may accept: its {@link LoadLimits} and the {@link WasmFeature}s enabled, and which
 * variant it compiles first. Kept with the loaded module, because its other variant is built later
 * under the same settings.
 *
 * @param metered the load compiles the fuel-metered variant, and the plain one only when a policy
 *     without fuel first needs it ({@link dev.corral.ModuleLoader#metered})
 */
public record LoadSettings(LoadLimits limits, Set<WasmFeature> features, boolean metered) {
    public static final LoadSettings DEFAULTS = new LoadSettings(LoadLimits.defaults(), WasmFeature.DEFAULTS);

    public LoadSettings(LoadLimits limits, Set<WasmFeature> features) {
        this(limits, features, false);
    }

    public LoadSettings {
        features = Collections.unmodifiableSet(features.isEmpty() ? EnumSet.noneOf(WasmFeature.class) : EnumSet.copyOf(features));
    }

    public LoadSettings withLimits(LoadLimits l) {
        return new LoadSettings(l, features, metered);
    }

    public LoadSettings withMetered(boolean m) {
        return new LoadSettings(limits, features, m);
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
        return new LoadSettings(limits, set, metered);
    }
}
