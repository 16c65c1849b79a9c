package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.function.Function;

/**
 * One runnable form of a module: the parsed module Chicory runs and its one shared machine factory
 * (they must stay together: the compiled factory checks the module's identity). A module has a
 * plain variant, and a fuel-metered one built the first time a policy with fuel needs it.
 *
 * @param fuelGlobal index of the fuel global, or -1 when unmetered
 * @param definedGlobals globals the module defines (the fuel global and its reserve are the last two)
 * @param clones function indices of the metered variant's fuel-passing clones, mapped to the
 *     module's own function each one runs (for naming the function a trap happened in)
 */
record ModuleVariant(WasmModule module, Function<Instance, Machine> machineFactory, int fuelGlobal,
        int definedGlobals, java.util.Map<Integer, Integer> clones) {
    boolean metered() {
        return fuelGlobal >= 0;
    }
}
