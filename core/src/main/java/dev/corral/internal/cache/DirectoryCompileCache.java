package dev.corral.internal.cache;

import dev.corral.CompileCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One file per key, named by the SHA-256 of the key (keys contain '/', '+' and ':'). Writes go to
 * a temporary file first and are moved into place atomically, so a concurrent reader in another
 * JVM sees either nothing or a complete entry.
 */
public final class DirectoryCompileCache implements CompileCache {
    private final Path dir;

    public DirectoryCompileCache(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create compile cache directory " + dir, e);
        }
    }

    @Override
    public byte[] get(String key) throws IOException {
        try {
            return Files.readAllBytes(fileFor(key));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void putIfAbsent(String key, byte[] data) throws IOException {
        Path target = fileFor(key);
        if (Files.exists(target)) {
            return;
        }
        Path tmp = Files.createTempFile(dir, "entry", ".tmp");
        try {
            Files.write(tmp, data);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } catch (FileAlreadyExistsException e) {
            // another writer won the race: its entry is as good as ours
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Path fileFor(String key) {
        try {
            var sha = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(sha) + ".jar");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
