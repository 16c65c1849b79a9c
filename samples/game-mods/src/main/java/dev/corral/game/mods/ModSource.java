package dev.corral.game.mods;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** A mod file's name and bytes: {@code NAME.wasm} (a wasm module) or {@code NAME.js} (a script). */
public record ModSource(String fileName, byte[] bytes) {
    public ModSource {
        if (!isMod(fileName)) {
            throw new IllegalArgumentException("not a mod file (.wasm or .js): " + fileName);
        }
        bytes = bytes.clone();
    }

    public static boolean isMod(String fileName) {
        String f = fileName.toLowerCase(Locale.ROOT);
        return (f.endsWith(".wasm") && f.length() > 5) || (f.endsWith(".js") && f.length() > 3);
    }

    public static boolean isMod(Path p) {
        return p.getFileName() != null && isMod(p.getFileName().toString());
    }

    /** The mod's name: the file name without its extension. */
    public String name() {
        return fileName.substring(0, fileName.lastIndexOf('.'));
    }

    public boolean isScript() {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".js");
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
