package dev.corral.js;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.CallTimeoutException;
import dev.corral.Corral;
import dev.corral.FuelExhaustedException;
import dev.corral.PluginPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The example of js/README.md, as it stands there (with a stand-in for the game's API). */
class ReadmeExampleTest {
    public interface GameApi {
        int spawn(int x, int y);
    }

    @Test
    void theReadmeExampleRuns() {
        Corral corral = Engines.compiled().corral();
        GameApi api = (x, y) -> 7;
        Object result = null;
        // ---- js/README.md, "Use" ----
        JsEngine js = JsEngine.load(corral);                    // QuickJS compiled once per Corral (cached)
        try (JsPlugin plugin = js.plugin("greeter")
                .script("function greet(name) { return 'Hello, ' + name + '!'; }")
                .policy(PluginPolicy.builder().fuel(5_000_000).timeout(Duration.ofSeconds(5)).maxMemory(32 << 20).build())
                .expose("game", GameApi.class, api)             // game.spawn(3, 4) in the script
                .console(JsConsole.discard())
                .randomSeed(42)                                 // Math.random() reproducible
                .build()) {                                     // start-up + top-level code, then a snapshot
            Object hello = plugin.call("greet", "Corral");      // "Hello, Corral!"
            result = hello;
        } catch (JsException e) {                               // the script threw: e.jsName(), e.jsMessage(), e.jsStack()
            throw e;
        } catch (FuelExhaustedException | CallTimeoutException e) {
            throw e; // stopped by the sandbox; the plugin was reset to its start-up snapshot
        }
        // ----
        assertEquals("Hello, Corral!", result);
    }
}
