package dev.corral.internal.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Loops around host calls charge the fuel global directly (FunctionMeter#hostCallLoopEnd): no flush
 * before each host call and no reload after it. That is sound only if nothing the host can do
 * during the call makes a difference: every export of {@code fuel_host_loops.wat}, under budgets
 * that run out at every point (in the loop, inside a re-entry, right after a host call, after the
 * loop), with every chunk size and in both modes, must give the same results, traps, fuel left
 * and fuel seen by the host, to the unit, as the same module metered the way it was before
 * (the local flushed before and reloaded after every host call).
 */
class HostCallLoopTest {
    private static final int[] CHUNKS = {1, 7, FuelInstrumenter.CHUNK};
    private static final List<String> EXPORTS = List.of("calls", "calls_then_work", "mixed", "nested", "not_straight");
    private static final long[] BUDGETS = LongStream.concat(LongStream.rangeClosed(0, 420),
            LongStream.of(1_000, 5_000, 1L << 40)).toArray();
    /** What the host call charges in {@link Host#CHARGE}, as a policy's hostCallFuel would. */
    private static final long HOST_CALL_FUEL = 3;

    /** What the host function does during each call. */
    enum Host {
        /** Nothing: returns its argument plus one. */
        NOTHING,
        /** Calls back into the guest ({@code burn}), which spends fuel through its wrapper. */
        REENTER,
        /** Reads the fuel and the call depth, and records them. */
        READ,
        /** Charges a host-call cost from the fuel global and fails when that overdraws it. */
        CHARGE,
        /** Tops the running call up. */
        TOP_UP,
        /** Calls back into the guest for more than the budget has, and swallows the failure. */
        SWALLOW
    }

    @ParameterizedTest
    @EnumSource(Host.class)
    void hostCallLoopsCountExactlyAsTheLocalFormDid(Host host) throws Exception {
        byte[] bytes = FuelInstrumenterTest.asLoaded(Path.of(HostCallLoopTest.class.getResource("/wasm/fuel_host_loops.wasm").toURI()));
        WasmModule original = ChicoryModuleLoader.parse("t", bytes);
        for (boolean compiled : new boolean[] {false, true}) {
            for (int chunk : compiled ? new int[] {1, FuelInstrumenter.CHUNK} : CHUNKS) {
                var before = FuelInstrumenter.instrument(bytes, original, !compiled, chunk, false);
                var after = FuelInstrumenter.instrument(bytes, original, !compiled, chunk, true);
                assertFalse(Arrays.equals(before.bytes(), after.bytes()), "the fixture has host-call loops");
                String expected = run(before, host, compiled);
                String actual = run(after, host, compiled);
                assertEquals(expected, actual, host + (compiled ? " compiled" : " interpreted") + " with chunk " + chunk);
                // not vacuous: budgets run out in every export, and suffice in every export
                for (String name : EXPORTS) {
                    assertTrue(line(actual, name + "(6)@0: ").contains("trap "), line(actual, name + "(6)@0: "));
                    assertTrue(line(actual, name + "(6)@" + (1L << 40) + ": ").contains("ok ["), line(actual, name + "(6)@" + (1L << 40) + ": "));
                }
            }
        }
    }

    /** Modules without such loops (compute loops, loops calling guest functions) are metered byte for byte as before. */
    @org.junit.jupiter.api.Test
    void otherLoopsAreMeteredAsBefore() throws Exception {
        for (String fixture : List.of("fuel_loops.wasm", "fuel_unroll.wasm", "fuel_constructs.wasm")) {
            byte[] bytes = FuelInstrumenterTest.asLoaded(Path.of(HostCallLoopTest.class.getResource("/wasm/" + fixture).toURI()));
            WasmModule original = ChicoryModuleLoader.parse("t", bytes);
            for (boolean interpreted : new boolean[] {false, true}) {
                assertTrue(Arrays.equals(FuelInstrumenter.instrument(bytes, original, interpreted, FuelInstrumenter.CHUNK, false).bytes(),
                        FuelInstrumenter.instrument(bytes, original, interpreted, FuelInstrumenter.CHUNK, true).bytes()), fixture);
            }
        }
    }

    private static String line(String outcomes, String prefix) {
        return outcomes.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    }

    private static String run(FuelInstrumenter.Result metered, Host host, boolean compiled) {
        WasmModule m = ChicoryModuleLoader.parse("t", metered.bytes());
        var factory = compiled ? MachineFactoryCompiler.builder(m).compile() : null;
        var out = new StringBuilder();
        for (String name : EXPORTS) {
            for (int n : new int[] {1, 3, 6}) {
                for (long budget : BUDGETS) {
                    var globals = new GlobalInstance[3];
                    var type = FunctionType.of(List.of(ValType.I32), List.of(ValType.I32));
                    var h = new HostFunction("env", "h", type, (instance, args) -> {
                        long x = args[0];
                        switch (host) {
                            case REENTER:
                                x += instance.export("burn").apply(1 + (x & 3))[0];
                                break;
                            case READ:
                                out.append(" [fuel ").append(globals[0].getValue()).append(" depth ").append(globals[2].getValue())
                                        .append(']');
                                break;
                            case CHARGE: {
                                long left = globals[0].getValue() - HOST_CALL_FUEL;
                                globals[0].setValue(left);
                                if (left < 0) {
                                    throw new IllegalStateException("host call overdrew the fuel");
                                }
                                break;
                            }
                            case TOP_UP:
                                globals[0].setValue(globals[0].getValue() + 2);
                                break;
                            case SWALLOW:
                                try {
                                    x += instance.export("burn").apply(40)[0];
                                } catch (RuntimeException e) {
                                    out.append(" [swallowed, fuel ").append(globals[0].getValue()).append(']');
                                }
                                break;
                            default:
                                break;
                        }
                        return new long[] {(int) (x + 1)};
                    });
                    var b = Instance.builder(m).withStart(false).withImportValues(ImportValues.builder().addFunction(h).build());
                    if (factory != null) {
                        b.withMachineFactory(factory);
                    }
                    Instance instance = b.build();
                    for (int k = 0; k < 3; k++) {
                        globals[k] = instance.global(metered.fuelGlobalIndex() + k);
                    }
                    globals[0].setValue(budget);
                    globals[2].setValue(50); // the call depth, as the host sets it before an outermost call
                    out.append(name).append('(').append(n).append(")@").append(budget).append(": ");
                    try {
                        long[] results = instance.export(name).apply(n);
                        out.append("ok ").append(Arrays.toString(results));
                    } catch (RuntimeException e) {
                        out.append("trap ").append(e.getMessage());
                    }
                    out.append(" fuel=").append(globals[0].getValue()).append('\n');
                }
            }
        }
        return out.toString();
    }
}
