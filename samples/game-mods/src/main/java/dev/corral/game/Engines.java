package dev.corral.game;

import dev.corral.Corral;
import dev.corral.js.JsEngine;

/**
 * Where a run gets its Corral engine and JavaScript engine. The CLI makes fresh ones per run;
 * tests share them across runs (QuickJS takes seconds to compile and instrument).
 */
interface Engines {
    Corral corral(boolean interpreter);

    JsEngine js(boolean interpreter);
}
