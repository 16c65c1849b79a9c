package dev.corral;

/**
 * The guest ended itself with WASI {@code proc_exit(code)}. For a command module's {@code _start}
 * this is the normal way to finish; {@link #exitCode()} is the code it chose.
 */
public final class PluginExitException extends CorralException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public PluginExitException(int exitCode) {
        super("plugin exited with code " + exitCode);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
