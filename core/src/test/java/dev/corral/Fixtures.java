package dev.corral;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** WAT fixtures from src/test/wat, compiled to wasm by the build. */
final class Fixtures {
    private Fixtures() {}

    static byte[] wasm(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            if (in == null) {
                throw new IllegalStateException("fixture " + name + ".wasm missing: is wat2wasm installed (.ci/setup)?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Corral engine(ExecutionMode mode) {
        return Corral.builder().executionMode(mode).build();
    }
}
