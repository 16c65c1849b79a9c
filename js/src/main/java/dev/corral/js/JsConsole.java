package dev.corral.js;

import java.lang.System.Logger.Level;

/**
 * Where a script's {@code console.debug/log/info/warn/error} output goes: one call per console
 * call, with the arguments joined by spaces (strings as they are, other values as JSON).
 * Called on the plugin's thread, during the script's call.
 */
@FunctionalInterface
public interface JsConsole {
    void print(Level level, String message);

    /** Output dropped. */
    static JsConsole discard() {
        return (level, message) -> {};
    }

    /** To {@code System.Logger} {@code dev.corral.js.<plugin>}, {@code console.log} at INFO (the default). */
    static JsConsole logger(String plugin) {
        System.Logger logger = System.getLogger("dev.corral.js." + plugin);
        return (level, message) -> logger.log(level, "[" + plugin + "] " + message);
    }
}
