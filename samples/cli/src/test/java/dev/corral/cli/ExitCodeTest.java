package dev.corral.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.CallInterruptedException;
import dev.corral.CallTimeoutException;
import dev.corral.FuelExhaustedException;
import dev.corral.HostFunctionException;
import dev.corral.ModuleLoadException;
import dev.corral.StackExhaustedException;
import dev.corral.TrapException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The mapping for failures the fixtures cannot all provoke through the command line. */
class ExitCodeTest {
    @ParameterizedTest
    @EnumSource(ModuleLoadException.Reason.class)
    void everyLoadReasonHasItsCode(ModuleLoadException.Reason reason) {
        var code = ExitCode.of(new ModuleLoadException(reason, "x"));
        assertEquals(reason == ModuleLoadException.Reason.UNREADABLE ? 66 : 65, code.code);
        assertEquals(reason == ModuleLoadException.Reason.UNREADABLE ? "io" : "load", code.kind);
    }

    @Test
    void runtimeFailures() {
        assertEquals(70, ExitCode.of(new TrapException(TrapException.Kind.UNREACHABLE, null, "x", null)).code);
        assertEquals(70, ExitCode.of(new HostFunctionException("env.f", new RuntimeException("boom"))).code);
        assertEquals(70, ExitCode.of(new CallInterruptedException("f")).code);
        assertEquals(71, ExitCode.of(new FuelExhaustedException("p", "f", 12, 10, null)).code);
        assertEquals(72, ExitCode.of(new CallTimeoutException("f", Duration.ofMillis(5))).code);
        assertEquals(73, ExitCode.of(new StackExhaustedException("f", null)).code);
        assertEquals(64, ExitCode.of(new UsageException("x")).code);
    }

    @Test
    void unexpectedExceptionsStillGetOneLineAndTheirClassName() {
        var err = new ByteArrayOutputStream();
        int code = Main.fail(new PrintStream(err, true, StandardCharsets.UTF_8), new IllegalStateException("two\nlines"), false);
        assertEquals(70, code);
        assertEquals("corral: trap: IllegalStateException: two lines\n", err.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
        assertTrue(ExitCode.isExpected(new UsageException("x")));
    }
}
