package dev.corral.samples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's example as it is, against the plugin the build made from plugin/hello.c.
 * Surefire runs this inside the named module dev.corral.samples.hello: the example works on the
 * module path (the generated guest binding is constructed by Corral across modules).
 */
class HelloHostTest {
    static final Path PLUGIN = Path.of("target", "hello.wasm");

    @Test
    void theReadmeExamplePrintsTheSumAndTheGreeting() {
        assertTrue(Files.isRegularFile(PLUGIN), "the build makes " + PLUGIN);
        assertEquals("2 + 3 = 5\nHello, Corral!\n", run(PLUGIN.toString()));
        assertTrue(HelloHostTest.class.getModule().isNamed(), "runs on the module path");
    }

    @Test
    void aMissingPluginFileIsATypedLoadError() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.corral.ModuleLoadException.class,
                () -> run("target/no-such-plugin.wasm"));
        assertEquals(dev.corral.ModuleLoadException.Reason.UNREADABLE, e.reason());
    }

    private static String run(String wasm) {
        var bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            HelloHost.main(new String[] {wasm});
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
