package dev.corral.capabilities;

/** What a plugin may do in a preopened directory. */
public enum Access {
    /** Read files, list directories, stat; every mutating call fails with EROFS. */
    READ_ONLY,
    /** Also create, write, truncate, rename, link, symlink and remove, inside the directory only. */
    READ_WRITE
}
