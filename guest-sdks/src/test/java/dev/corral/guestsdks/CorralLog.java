package dev.corral.guestsdks;

import dev.corral.bindings.HostFunction;
import dev.corral.bindings.HostModule;

/**
 * The logging contract the three guest SDKs use: the same wasm imports as corral-capabilities'
 * {@code PluginLogging} ({@code corral_log.log(level, ptr, len)}, {@code corral_log.enabled(level) -> i32}).
 * The processor generates {@code corral_log.h/.rs/.ts} from it; the SDKs vendor those files and
 * {@link DeclarationsDriftTest} fails when a vendored copy differs from what this interface generates.
 * Levels: 0 trace, 1 debug, 2 info, 3 warn, 4 error.
 */
@HostModule("corral_log")
public interface CorralLog {
    @HostFunction
    void log(int level, String message);

    @HostFunction
    boolean enabled(int level);
}
