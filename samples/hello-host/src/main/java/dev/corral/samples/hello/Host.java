package dev.corral.samples.hello;

import dev.corral.bindings.HostFunction;
import dev.corral.bindings.HostModule;

/** What the host offers the plugin: it imports these as {@code host.<name>}. */
@HostModule("host")
public class Host {
    private final String salutation;

    public Host(String salutation) {
        this.salutation = salutation;
    }

    @HostFunction
    public String salutation() {
        return salutation;
    }
}
