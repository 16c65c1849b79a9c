package dev.corral.capabilities.internal.wasi;

import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** WASI preview1 errno values we use, and the mapping from Java's file-system exceptions. */
final class Errno {
    static final int SUCCESS = 0;
    static final int ACCES = 2;
    static final int BADF = 8;
    static final int BUSY = 10;
    static final int DQUOT = 19;
    static final int EXIST = 20;
    static final int FBIG = 22;
    static final int ILSEQ = 25;
    static final int INVAL = 28;
    static final int IO = 29;
    static final int ISDIR = 31;
    static final int LOOP = 32;
    static final int MFILE = 33;
    static final int NAMETOOLONG = 37;
    static final int NOENT = 44;
    static final int NOSPC = 51;
    static final int NOTDIR = 54;
    static final int NOTSOCK = 57;
    static final int NOTEMPTY = 55;
    static final int NOTSUP = 58;
    static final int OVERFLOW = 61;
    static final int PERM = 63;
    static final int ROFS = 69;
    static final int SPIPE = 70;
    static final int XDEV = 75;
    static final int NOTCAPABLE = 76;

    private Errno() {}

    static int of(java.io.IOException e) {
        if (e instanceof NoSuchFileException) {
            return NOENT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return EXIST;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return NOTEMPTY;
        }
        if (e instanceof NotDirectoryException) {
            return NOTDIR;
        }
        if (e instanceof AccessDeniedException) {
            return ACCES;
        }
        if (e instanceof NotLinkException) {
            return INVAL;
        }
        if (e instanceof FileSystemLoopException) {
            return LOOP;
        }
        if (e instanceof AtomicMoveNotSupportedException) {
            return XDEV;
        }
        if (e instanceof FileSystemException) {
            String r = ((FileSystemException) e).getReason();
            if (r != null) {
                if (r.contains("Not a directory")) {
                    return NOTDIR;
                }
                if (r.contains("Is a directory")) {
                    return ISDIR;
                }
                if (r.contains("Too many levels of symbolic links")) {
                    return LOOP;
                }
                if (r.contains("cross-device")) {
                    return XDEV;
                }
                if (r.contains("Read-only file system")) {
                    return ROFS;
                }
                if (r.contains("No space left")) {
                    return NOSPC;
                }
                if (r.contains("Directory not empty")) {
                    return NOTEMPTY;
                }
                if (r.contains("Invalid argument")) {
                    return INVAL;
                }
                if (r.contains("Operation not permitted")) {
                    return PERM;
                }
                if (r.contains("File name too long")) {
                    return NAMETOOLONG;
                }
            }
        }
        return IO;
    }
}
