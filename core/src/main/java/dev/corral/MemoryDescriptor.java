package dev.corral;

import java.util.OptionalInt;

/** A memory the module defines or imports, in 64 KiB pages. */
public record MemoryDescriptor(int index, boolean imported, int minPages, OptionalInt maxPages) {
    public static final int PAGE_SIZE = 65536;

    @Override
    public String toString() {
        return "memory[" + index + "] min=" + minPages + " max="
                + (maxPages.isPresent() ? String.valueOf(maxPages.getAsInt()) : "none")
                + (imported ? " (imported)" : "");
    }
}
