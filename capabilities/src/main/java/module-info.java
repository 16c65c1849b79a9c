/**
 * Deny-by-default capabilities for Corral plugins: our own WASI preview1 (read-only and
 * read-write preopens that hold against symlinks and {@code ..}, clocks, random, env, args,
 * stdio, exit) and a logging host module. Only {@code dev.corral.capabilities} is API.
 */
module dev.corral.capabilities {
    requires transitive dev.corral.core;

    exports dev.corral.capabilities;
}
