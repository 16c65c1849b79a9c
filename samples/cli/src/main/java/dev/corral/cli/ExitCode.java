package dev.corral.cli;

import dev.corral.CallTimeoutException;
import dev.corral.CorralException;
import dev.corral.FuelExhaustedException;
import dev.corral.ModuleLoadException;
import dev.corral.StackExhaustedException;

/**
 * The CLI's exit codes (sysexits.h numbering where one fits) and the error kind printed with each.
 * Scripts and external checks depend on these: change them only with the contract in the README.
 */
enum ExitCode {
    OK(0, null),
    USAGE(64, "usage"),
    LOAD(65, "load"),
    IO(66, "io"),
    TRAP(70, "trap"),
    /** The call used up its {@code --fuel}. */
    FUEL(71, "fuel"),
    TIMEOUT(72, "timeout"),
    STACK(73, "stack");

    final int code;
    final String kind;

    ExitCode(int code, String kind) {
        this.code = code;
        this.kind = kind;
    }

    /** How a failure of loading or running a plugin ends the process. */
    static ExitCode of(Throwable e) {
        if (e instanceof UsageException || e instanceof IllegalArgumentException) {
            return USAGE;
        }
        if (e instanceof InputFileException) {
            return IO;
        }
        if (e instanceof ModuleLoadException) {
            return ((ModuleLoadException) e).reason() == ModuleLoadException.Reason.UNREADABLE ? IO : LOAD;
        }
        if (e instanceof FuelExhaustedException) {
            return FUEL;
        }
        if (e instanceof CallTimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof StackExhaustedException) {
            return STACK;
        }
        // TrapException, HostFunctionException, CallInterruptedException, GuestMemoryException, and
        // anything unforeseen: the guest did not complete, which is a software failure (EX_SOFTWARE)
        return TRAP;
    }

    /** Failures whose message is meant for users; anything else is a bug and gets its class name shown. */
    static boolean isExpected(Throwable e) {
        return e instanceof CorralException || e instanceof UsageException || e instanceof InputFileException;
    }
}
