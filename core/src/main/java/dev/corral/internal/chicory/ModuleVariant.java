package dev.corral.internal.chicory;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.util.Map;
import java.util.function.Function;

/**
 * One runnable form of a module: the parsed module Chicory runs and its one shared machine factory
 * (they must stay together: the compiled factory checks the module's identity). A module has a
 * plain variant, and a fuel-metered one built the first time a policy with fuel needs it.
 *
 * @param fuelGlobal index of the fuel global, or -1 when unmetered
 * @param fuelSlot the fuel global's position among the globals the module defines, or -1
 * @param definedGlobals globals the module defines (its own, the fuel global and its reserve, the
 *     splitter's registers)
 * @param clones functions that run another function's code, mapped to that function (for naming
 *     the function a trap happened in): the metered variant's fuel-passing clones, and the helpers
 *     split out of large functions
 * @param facts what compiling this variant produced
 */
record ModuleVariant(WasmModule module, Function<Instance, Machine> machineFactory, int fuelGlobal, int fuelSlot,
        int definedGlobals, Map<Integer, Integer> clones, VariantCompiler.Facts facts) {
    boolean metered() {
        return fuelGlobal >= 0;
    }
}
