/**
 * The README's example as a named module: a consumer of Corral on the module path. The package is
 * exported so that Corral can construct the guest-interface binding generated into it.
 */
module dev.corral.samples.hello {
    requires dev.corral.capabilities;
    requires dev.corral.bindings;

    exports dev.corral.samples.hello;
}
