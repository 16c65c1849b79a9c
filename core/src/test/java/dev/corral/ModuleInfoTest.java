package dev.corral;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.corral.spi.Capability;
import dev.corral.spi.HostFunctionDef;
import dev.corral.spi.HostModuleDef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parse-only answers: exports, imports, entry points and code size before anything is compiled. */
class ModuleInfoTest {
    @Test
    void inspectingCompilesNothingAndCompileGoesOnFromTheParse() {
        try (var corral = Corral.create()) {
            var info = corral.loader().name("arith").inspect(Fixtures.wasm("arith"));
            assertEquals(0, corral.stats().compilations());
            assertEquals(0, corral.stats().modulesLoaded());
            assertTrue(info.exportedFunction("fib").isPresent());
            assertTrue(info.exportedFunction("_start").isEmpty());
            assertTrue(info.functionCount() > 0 && info.largestFunctionBytes() > 0);
            var module = info.compile();
            assertSame(module, info.compile());
            assertEquals(1, corral.stats().compilations());
            assertEquals(1, corral.stats().modulesLoaded());
            assertEquals(info.exports(), module.exports());
            assertEquals(6765, module.instantiate().call("fib", 20).getInt(0));
            assertEquals(List.of(), module.compileFacts().interpretedFunctions());
        }
    }

    @Test
    void badBytesFailAtInspectionWithTheLoadErrors() {
        try (var corral = Corral.create()) {
            var e = assertThrows(ModuleLoadException.class, () -> corral.loader().inspect(new byte[] {0, 'a', 's', 'm', 9}));
            assertTrue(e.reason() == ModuleLoadException.Reason.MALFORMED, e.toString());
            assertThrows(ModuleLoadException.class, () -> corral.loader().sha256("00".repeat(32)).inspect(Fixtures.wasm("arith")));
        }
    }

    private static HostModuleDef env(String... nameAndSignature) {
        var fns = new ArrayList<HostFunctionDef>();
        for (int i = 0; i < nameAndSignature.length; i += 2) {
            var sig = nameAndSignature[i + 1].equals("i32,i32")
                    ? FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of())
                    : nameAndSignature[i + 1].equals("i32->i32")
                            ? FunctionSignature.of(List.of(ValueType.I32), List.of(ValueType.I32))
                            : nameAndSignature[i + 1].equals("void")
                                    ? FunctionSignature.of(List.of(), List.of())
                                    : FunctionSignature.of(List.of(ValueType.I64), List.of());
            fns.add(HostFunctionDef.of("env", nameAndSignature[i], sig, (c, a) -> new long[sig.results().size()]));
        }
        return HostModuleDef.of("env", fns);
    }

    @Test
    void linkingIsCheckedAgainstAPolicyBeforeAnythingCompiles() {
        try (var corral = Corral.create()) {
            var info = corral.loader().name("needy").inspect(Fixtures.wasm("imports"));
            var missing = info.unlinkableImports(PluginPolicy.defaults());
            assertEquals(List.of("env.log", "env.now", "env.limit"), missing.stream().map(d -> d.module() + "." + d.name()).toList());
            var early = assertThrows(UnlinkableModuleException.class, () -> info.checkLinkable(PluginPolicy.defaults()));
            assertEquals(missing, early.missingImports());
            assertEquals(0, corral.stats().compilations(), "a link check compiles nothing");

            // the same answer, and the same message, as instantiating the compiled module
            var late = assertThrows(UnlinkableModuleException.class, () -> info.compile().instantiate());
            assertEquals(late.getMessage(), early.getMessage());
            // and still after compile(), which drops the parse
            assertEquals(missing, info.unlinkableImports(PluginPolicy.defaults()));
        }
    }

    @Test
    void aHostFunctionOfAnotherTypeIsUnlinkableWithWhatTheHostProvides() {
        try (var corral = Corral.create()) {
            var info = corral.loader().name("host").inspect(Fixtures.wasm("host"));
            var policy = PluginPolicy.builder().hostModule(env("log", "i64", "block", "i64", "reenter", "i32->i32")).build();
            var missing = info.unlinkableImports(policy);
            assertEquals(2, missing.size(), missing.toString());
            assertTrue(missing.get(0).toString().contains("env.log (function (i32, i32) -> (); host provides (i64) -> ())"),
                    missing.toString());
            var almost = PluginPolicy.builder().hostModule(env("log", "i32,i32", "block", "i64", "reenter", "i32->i32")).build();
            assertEquals(List.of("block"), info.unlinkableImports(almost).stream().map(ImportDescriptor::name).toList());
            var good = PluginPolicy.builder().hostModule(env("log", "i32,i32", "block", "void", "reenter", "i32->i32")).build();
            assertEquals(List.of(), info.unlinkableImports(good));
            info.checkLinkable(good);
            assertEquals(List.of(), corral.loader().inspect(Fixtures.wasm("arith")).unlinkableImports(PluginPolicy.defaults()));
            corral.loader().inspect(Fixtures.wasm("arith")).checkLinkable(PluginPolicy.defaults());
            assertEquals(0, corral.stats().compilations());
        }
    }

    @Test
    void memoryAndTablesLargerThanThePolicyAllowsFailTheCheck() {
        try (var corral = Corral.create()) {
            var memory = corral.loader().inspect(Fixtures.wasm("big_memory"));
            memory.checkLinkable(PluginPolicy.builder().maxMemory(8L << 20).build());
            var e = assertThrows(ModuleLoadException.class, () -> memory.checkLinkable(PluginPolicy.builder().maxMemory(1L << 20).build()));
            assertEquals(ModuleLoadException.Reason.LIMITS, e.reason(), e.getMessage());
            var table = corral.loader().inspect(Fixtures.wasm("big_table"));
            var t = assertThrows(ModuleLoadException.class, () -> table.checkLinkable(PluginPolicy.defaults()));
            assertEquals(ModuleLoadException.Reason.LIMITS, t.reason(), t.getMessage());
            assertEquals(List.of(), table.unlinkableImports(PluginPolicy.defaults()), "limits are not imports");
            assertEquals(0, corral.stats().compilations());
        }
    }

    @Test
    void capabilitiesAndHostModulesSeeTheParsedModuleAndMayRefuseIt() {
        try (var corral = Corral.create()) {
            var info = corral.loader().name("needy").inspect(Fixtures.wasm("imports"));
            List<String> seen = new ArrayList<>();
            Capability strict = module -> {
                seen.add(module.name() + " " + module.imports().size() + " imports");
                assertThrows(IllegalStateException.class, module::compileFacts);
                throw new UnlinkableModuleException(module.name(), List.of(module.imports().get(1)), "strict: env.now is not covered");
            };
            var policy = PluginPolicy.builder().grant(strict).build();
            var missing = info.unlinkableImports(policy);
            assertEquals(List.of("now", "log", "limit"), missing.stream().map(ImportDescriptor::name).toList(),
                    "the capability's refusal first, each import once");
            var e = assertThrows(UnlinkableModuleException.class, () -> info.checkLinkable(policy));
            assertTrue(e.getMessage().contains("strict: env.now is not covered"), e.getMessage());
            assertEquals(List.of("needy 3 imports", "needy 3 imports"), seen);

            var refusing = new HostModuleDef() {
                @Override
                public String name() {
                    return "env";
                }

                @Override
                public List<HostFunctionDef> functions() {
                    return env("log", "i32,i32", "block", "void", "reenter", "i32->i32").functions();
                }

                @Override
                public void checkPlugin(PluginModule module) {
                    throw new ModuleLoadException(ModuleLoadException.Reason.UNSUPPORTED, module.name() + ": built for another ABI");
                }
            };
            var host = corral.loader().name("host").inspect(Fixtures.wasm("host"));
            var r = assertThrows(ModuleLoadException.class,
                    () -> host.checkLinkable(PluginPolicy.builder().hostModule(refusing).build()));
            assertEquals("host: built for another ABI", r.getMessage());
            assertEquals(0, corral.stats().compilations());
        }
    }
}
