package dev.corral.capabilities;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.Corral;
import dev.corral.PluginModule;
import dev.corral.PluginPolicy;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoggingTest {
    /** Keeps every record it is given. */
    static final class Recorder implements System.Logger {
        final List<String> records = new ArrayList<>();

        @Override
        public String getName() {
            return "recorder";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            records.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            records.add(level + " " + java.text.MessageFormat.format(format, params));
        }
    }

    private static Corral corral;
    private static PluginModule module;

    @BeforeAll
    static void load() {
        corral = Corral.builder().build();
        module = corral.load(LoggingTest.class.getResourceAsStream("/wasm/logger.wasm"));
    }

    @AfterAll
    static void close() {
        corral.close();
    }

    @Test
    void messagesGoToTheLoggerTaggedAndFilteredByLevel() {
        var rec = new Recorder();
        var logging = PluginLogging.builder().logger(rec).threshold(Level.INFO).build();
        try (var p = module.instantiate(PluginPolicy.builder().grant(logging).build())) {
            p.call("say", 1);
            p.call("say", 2);
            p.call("say", 4);
            p.call("say", 99);
            assertEquals(0, p.call("enabled", 1).getInt(0));
            assertEquals(1, p.call("enabled", 3).getInt(0));
        }
        String n = module.name();
        assertEquals(List.of("INFO [" + n + "] hello log", "ERROR [" + n + "] hello log", "ERROR [" + n + "] hello log"),
                rec.records);
    }

    @Test
    void longMessagesAreCut() {
        var rec = new Recorder();
        var logging = PluginLogging.builder().logger(rec).maxMessageBytes(5).build();
        try (var p = module.instantiate(PluginPolicy.builder().grant(logging).build())) {
            p.call("say_long", 2);
        }
        assertEquals(List.of("INFO [" + module.name() + "] café…"), rec.records);
    }

    @Test
    void theRateLimitDropsCountsAndReports() {
        var rec = new Recorder();
        var clock = WasiClock.virtual(Instant.EPOCH);
        var logging = PluginLogging.builder().logger(rec).clock(clock).rateLimit(2, 1 << 20).build();
        try (var p = module.instantiate(PluginPolicy.builder().grant(logging).build())) {
            for (int i = 0; i < 5; i++) {
                p.call("say", 2);
            }
            assertEquals(2, rec.records.size());
            assertEquals(3, logging.droppedMessages());
            clock.advance(Duration.ofSeconds(1));
            p.call("say", 3);
        }
        assertEquals("WARNING [" + module.name() + "] 3 log messages dropped by the rate limit", rec.records.get(2));
        assertEquals("WARNING [" + module.name() + "] hello log", rec.records.get(3));
    }

    @Test
    void theByteLimitHoldsToo() {
        var rec = new Recorder();
        var logging = PluginLogging.builder().logger(rec).clock(WasiClock.virtual(Instant.EPOCH))
                .rateLimit(100, 20).build();
        try (var p = module.instantiate(PluginPolicy.builder().grant(logging).build())) {
            for (int i = 0; i < 5; i++) {
                p.call("say", 2); // 9 bytes each: two fit in 20
            }
        }
        assertEquals(3, rec.records.size(), "two kept, and the drops reported when the plugin closes");
        assertEquals("WARNING [" + module.name() + "] 3 log messages dropped by the rate limit", rec.records.get(2));
        assertEquals(3, logging.droppedMessages());
    }

    @Test
    void stdoutCanGoToTheLoggerLineByLine() {
        var rec = new Recorder();
        try (var g = new Probe(Wasi.builder().stdout(WasiOutput.log(rec, Level.INFO)).build())) {
            g.call("write", 1, 9000);
            g.call("write", 1, 3);
        }
        String prefix = "INFO [" + Probe.module().name() + " stdout] ";
        assertEquals(2, rec.records.size(), "one 8 KiB piece, then the rest at close");
        assertEquals(prefix + "x".repeat(8192), rec.records.get(0));
        assertEquals(prefix + "x".repeat(811), rec.records.get(1));
    }
}
