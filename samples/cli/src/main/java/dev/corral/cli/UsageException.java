package dev.corral.cli;

/** The command line asks for something the module cannot do (unknown export, wrong arguments ...): exit 64. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
