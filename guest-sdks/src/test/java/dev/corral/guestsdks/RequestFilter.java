package dev.corral.guestsdks;

import dev.corral.bindings.GuestInterface;

/** The {@code filter} examples' export (encoding and rules: guest-sdks/README.md). */
@GuestInterface
public interface RequestFilter {
    String filter(String method, String path, String headers);
}
