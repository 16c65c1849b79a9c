package dev.corral.cli;

/** The file named by {@code --input @FILE} / {@code --input-bytes @FILE} cannot be read: exit 66 (io). */
final class InputFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
