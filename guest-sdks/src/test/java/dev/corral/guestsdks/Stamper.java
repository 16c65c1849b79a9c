package dev.corral.guestsdks;

import dev.corral.bindings.GuestInterface;

/** The {@code clock} examples' export: {@code "<seconds since the epoch> <message>"}. */
@GuestInterface
public interface Stamper {
    String stamp(String message);
}
