package dev.corral.capabilities.internal;

import java.nio.file.Path;

/** A granted host directory: its real path, the name the guest sees, and whether it is read-only. */
public record Preopen(Path root, String guestPath, boolean readOnly) {}
