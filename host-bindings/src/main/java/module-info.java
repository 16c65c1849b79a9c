/**
 * Typed host bindings: the annotations read by corral-annotation-processor, and the guest-ABI
 * marshalling (guest-sdks/ABI.md) its generated code calls. Depends on Corral's API and SPI only.
 */
module dev.corral.bindings {
    requires transitive dev.corral.core;

    exports dev.corral.bindings;
}
