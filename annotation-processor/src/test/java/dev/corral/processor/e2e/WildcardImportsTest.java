package dev.corral.processor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.corral.bindings.*;
import dev.corral.spi.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The user-facing annotations and the SPI share no simple name: a host class written with both
 * packages imported by wildcard compiles (this file is the test), and its generated binding is an
 * SPI {@link HostModuleDef}.
 */
class WildcardImportsTest {
    @HostModule("wild")
    public static class Wild {
        @HostFunction
        public int twice(int x) {
            return 2 * x;
        }

        @HostFunction
        public String who(HostContext ctx) {
            return ctx.pluginName();
        }
    }

    @Test
    void bothPackagesImportByWildcard() {
        HostModuleDef def = new WildcardImportsTest_Wild_CorralHost(new Wild());
        List<HostFunctionDef> functions = def.functions();
        assertEquals("wild", def.name());
        assertEquals(List.of("twice", "who"), functions.stream().map(HostFunctionDef::name).toList());
    }
}
