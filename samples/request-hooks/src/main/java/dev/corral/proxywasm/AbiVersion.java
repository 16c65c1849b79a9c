package dev.corral.proxywasm;

/** The proxy-wasm ABI versions Corral hosts, detected from the module's {@code proxy_abi_version_*} export. */
public enum AbiVersion {
    V0_1_0("proxy_abi_version_0_1_0"),
    V0_2_0("proxy_abi_version_0_2_0"),
    V0_2_1("proxy_abi_version_0_2_1");

    private final String marker;

    AbiVersion(String marker) {
        this.marker = marker;
    }

    /** The export that declares it, e.g. {@code proxy_abi_version_0_2_1}. */
    public String marker() {
        return marker;
    }

    /** 0.2.x passes {@code end_of_stream} to the header callbacks; 0.1.0 does not. */
    public boolean headersHaveEndOfStream() {
        return this != V0_1_0;
    }

    @Override
    public String toString() {
        return name().substring(1).replace('_', '.');
    }
}
