/**
 * JavaScript plugins for Corral: QuickJS (quickjs-wasi, wasm32-wasi) running inside the sandbox.
 * Only {@code dev.corral.js} is API.
 */
module dev.corral.js {
    requires transitive dev.corral.core;

    exports dev.corral.js;
}
