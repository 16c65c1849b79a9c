package dev.corral.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file could not be read, in words a user acts on ("no such file", "permission denied")
 * instead of a JDK class name. The exception itself stays the cause.
 */
public final class IoMessages {
    private IoMessages() {}

    public static String describe(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "a part of the path is not a directory";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return lower(((FileSystemException) e).getReason());
        }
        String m = e.getMessage();
        if (e instanceof IOException && m != null && !m.isBlank()) {
            return lower(m); // e.g. "Is a directory", from the OS
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String lower(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
