package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages say what to do in the user's words: no JDK class names, the grant that is missing. */
class MessagesTest {
    @Test
    void aMissingFileSaysSo(@TempDir Path dir) {
        try (var corral = Corral.create()) {
            var e = assertThrows(ModuleLoadException.class, () -> corral.load(dir.resolve("absent.wasm")));
            assertEquals(ModuleLoadException.Reason.UNREADABLE, e.reason());
            assertTrue(e.getMessage().endsWith("absent.wasm': no such file"), e.getMessage());
            assertTrue(e.getCause() instanceof java.nio.file.NoSuchFileException, "the JDK's exception stays the cause");
        }
    }

    @Test
    void aDirectoryIsNotAModuleFile(@TempDir Path dir) throws Exception {
        try (var corral = Corral.create()) {
            var e = assertThrows(ModuleLoadException.class, () -> corral.load(Files.createDirectory(dir.resolve("d"))));
            assertFalse(e.getMessage().contains("java."), e.getMessage());
            assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        }
    }

    @Test
    void loggingIsGrantedAsACapabilityOtherModulesAsHostModules() {
        try (var corral = Corral.create()) {
            var module = corral.load(Fixtures.wasm("logs"));
            var e = assertThrows(UnlinkableModuleException.class, module::instantiate);
            String m = e.getMessage();
            assertTrue(m.contains("corral_log is plugin logging: grant it with PluginPolicy.Builder.grant(PluginLogging.builder().build())"), m);
            assertTrue(m.contains("grant host module host through PluginPolicy.Builder.hostModule"), m);
            assertEquals(2, e.missingImports().size());
        }
    }
}
