package dev.corral.capabilities;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Denials are logged at DEBUG through System.Logger (java.util.logging is the JDK's default backend). */
class DenialLogTest {
    @Test
    void aDeniedCallIsLoggedAtDebugWithThePluginAndFunction() {
        Logger jul = Logger.getLogger("dev.corral.capabilities.wasi");
        List<String> seen = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                seen.add(r.getLevel() + " " + java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Level old = jul.getLevel();
        jul.setLevel(Level.FINE);
        jul.addHandler(h);
        try (var g = new Probe(Wasi.denyAll())) {
            g.call("random", 8);
        } finally {
            jul.removeHandler(h);
            jul.setLevel(old);
        }
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("FINE ") && s.contains("random_get")
                && s.contains("errno 76") && s.contains(Probe.module().name())), seen.toString());
    }
}
