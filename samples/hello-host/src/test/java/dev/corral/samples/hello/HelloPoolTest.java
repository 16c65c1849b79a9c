package dev.corral.samples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's pool example: six requests on eight threads served by at most four instances. */
class HelloPoolTest {
    @Test
    void sixRequestsAtMostFourInstances() throws Exception {
        var bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            HelloPool.main(new String[] {HelloHostTest.PLUGIN.toString()});
        } finally {
            System.setOut(old);
        }
        var lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(java.util.List.of("Hi, Ada!", "Hi, Grace!", "Hi, Linus!", "Hi, Barbara!", "Hi, Ken!", "Hi, Margaret!"),
                lines.subList(0, 6));
        int made = Integer.parseInt(lines.get(6).replace("instances made: ", ""));
        assertTrue(made >= 1 && made <= 4, lines.get(6));
        assertEquals(7, lines.size());
    }
}
