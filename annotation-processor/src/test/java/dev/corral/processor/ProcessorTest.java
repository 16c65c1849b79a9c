package dev.corral.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessorTest {
    @TempDir
    Path tmp;

    private static final String KV = """
            package app;

            import dev.corral.bindings.HostFunction;
            import dev.corral.bindings.HostModule;
            import dev.corral.spi.HostContext;
            import java.nio.ByteBuffer;

            @HostModule("kv")
            public class Kv {
                @HostFunction
                public String getValue(String key) { return key; }

                @HostFunction("put")
                public void store(HostContext ctx, String key, byte[] value) {}

                @HostFunction
                public int parseHTTPHeader(ByteBuffer raw, boolean strict, long a, float b, double c) { return 0; }

                @HostFunction
                public static byte[] dump() { return new byte[0]; }

                @HostFunction
                public ByteBuffer view(int type) { return ByteBuffer.allocate(0); }

                public String notExported(String s) { return s; }
            }
            """;

    @Test
    void generatesAHostModuleWithInlinedMarshalling() {
        var c = Compilation.compile(tmp, "app.Kv", KV);
        assertTrue(c.success, c.diagnostics.toString());
        String src = c.generated("app.Kv_CorralHost");
        assertTrue(src.contains("public final class Kv_CorralHost implements dev.corral.spi.HostModuleDef"), src);
        assertTrue(src.contains("public static final String MODULE = \"kv\";"), src);
        // default names are snake_case; explicit names win
        assertTrue(src.contains("HostFunctionDef.bound(MODULE, \"get_value\""), src);
        assertTrue(src.contains("HostFunctionDef.bound(MODULE, \"put\""), src);
        assertTrue(src.contains("HostFunctionDef.bound(MODULE, \"parse_http_header\""), src);
        assertFalse(src.contains("\"not_exported\""), src);
        // wasm signatures: strings/bytes as (ptr, len), HostContext not passed by the guest
        assertTrue(src.contains("FunctionSignature.of(List.of(ValueType.I32, ValueType.I32), List.of(ValueType.I64))"), src);
        assertTrue(src.contains("FunctionSignature.of(List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I32), List.of())"), src);
        assertTrue(src.contains(
                "FunctionSignature.of(List.of(ValueType.I32, ValueType.I32, ValueType.I32, ValueType.I64, ValueType.F32, ValueType.F64), List.of(ValueType.I32))"),
                src);
        // marshalling inlined: direct calls, no reflection, no boxing
        assertTrue(src.contains("java.lang.String p0 = Abi.readString(mem, a[0], a[1]);"), src);
        assertTrue(src.contains("impl.store(p0, p1, p2);"), src);
        assertTrue(src.contains("dev.corral.spi.HostContext p0 = context();"), src);
        assertTrue(src.contains("boolean p1 = (int) a[2] != 0;"), src);
        assertTrue(src.contains("float p3 = Float.intBitsToFloat((int) a[4]);"), src);
        assertTrue(src.contains("app.Kv.dump()"), src);
        assertFalse(src.contains("reflect") || src.contains("invoke") || src.contains("Integer.valueOf"), src);
        // one Bound class per function, which Chicory calls directly: the only lambdas are the binders
        // that run once per plugin at link time
        assertTrue(src.contains("HostFunctionDef.bound(MODULE, \"get_value\", SIG_0, plugin -> new F0(plugin, impl))"), src);
        assertTrue(src.contains("private static final class F0 extends HostFunctionDef.Bound"), src);
        assertFalse(src.lines().filter(l -> !l.contains("HostFunctionDef.bound(")).anyMatch(l -> l.contains("->")), src);
        // pointer-passing functions listed for the ABI version check
        assertTrue(src.contains("Set.of(\"get_value\", \"put\", \"parse_http_header\", \"dump\", \"view\")"), src);
    }

    @Test
    void anInterfaceCanBeAHostModule() {
        var c = Compilation.compile(tmp, "app.Clock", """
                package app;
                import dev.corral.bindings.*;
                @HostModule("clock")
                public interface Clock {
                    @HostFunction long nowMillis();
                    @HostFunction static int zone() { return 0; }
                }
                """);
        assertTrue(c.success, c.diagnostics.toString());
        String src = c.generated("app.Clock_CorralHost");
        assertTrue(src.contains("public Clock_CorralHost(app.Clock impl)"), src);
        assertTrue(src.contains("long r = impl.nowMillis();"), src);
        assertTrue(src.contains("int r = app.Clock.zone();"), src);
        assertTrue(src.contains("Set.of()"), "numbers only: no ABI version required\n" + src);
    }

    @Test
    void writesGuestDeclarationsForCRustAndAssemblyScript() {
        var c = Compilation.compile(tmp, "app.Kv", KV);
        assertTrue(c.success, c.diagnostics.toString());
        String h = c.guest("kv.h");
        assertTrue(h.contains("__attribute__((import_module(\"kv\"), import_name(\"put\")))\nvoid kv_put_raw(const char *key_ptr, size_t key_len, "
                + "const uint8_t *value_ptr, size_t value_len);"), h);
        assertTrue(h.contains("static inline corral_slice kv_get_value(const char *key, size_t key_len)"), h);
        assertTrue(h.contains("int32_t kv_parse_http_header_raw(const uint8_t *raw_ptr, size_t raw_len, bool strict, int64_t a, float b, double c);"), h);
        String rs = c.guest("kv.rs");
        assertTrue(rs.contains("#[link(wasm_import_module = \"kv\")]"), rs);
        assertTrue(rs.contains("#[link_name = \"get_value\"]\n        pub fn get_value(key_ptr: *const u8, key_len: usize) -> u64;"), rs);
        assertTrue(rs.contains("pub fn put(key: &str, value: &[u8]) {"), rs);
        assertTrue(rs.contains("pub fn view(type_: i32) -> Vec<u8> {"), rs); // keyword escaped
        String ts = c.guest("kv.ts");
        assertTrue(ts.contains("@external(\"kv\", \"get_value\")\ndeclare function __raw_get_value(key_ptr: usize, key_len: usize): u64;"), ts);
        assertTrue(ts.contains("export function put(key: string, value: Uint8Array): void {"), ts);
        assertTrue(ts.contains("export function parse_http_header(raw: Uint8Array, strict: bool, a: i64, b: f32, c: f64): i32 {"), ts);
        // the same files ship in the class output
        assertEquals(h, c.classOutput("META-INF/corral-guest/kv.h"));
    }

    /** The header is real C for wasm32: checked with clang when it is installed (.ci/setup installs it). */
    @Test
    void theCHeaderCompilesForWasm32() throws Exception {
        var c = Compilation.compile(tmp, "app.Kv", KV);
        assertTrue(c.success, c.diagnostics.toString());
        var src = tmp.resolve("guest").resolve("use.c");
        java.nio.file.Files.writeString(src, """
                #include "kv.h"
                void *cabi_realloc(void *p, size_t old, size_t align, size_t size) { (void) old; (void) align; (void) size; return p; }
                int use(void) {
                    corral_slice s = kv_get_value("k", 1);
                    kv_put("k", 1, s.ptr, s.len);
                    corral_slice_free(s);
                    return kv_parse_http_header((const uint8_t *) "x", 1, true, 1, 2.0f, 3.0);
                }
                """);
        Process p;
        try {
            p = new ProcessBuilder("clang", "--target=wasm32-unknown-unknown", "-Wall", "-Werror", "-fsyntax-only", src.toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("clang is not installed: the build installs it (.ci/ensure-tools.sh c)", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void generatesAGuestInterfaceImplementation() {
        var c = Compilation.compile(tmp, "app.Outer", """
                package app;

                import dev.corral.bindings.GuestFunction;
                import dev.corral.bindings.GuestInterface;

                public class Outer {
                    @GuestInterface
                    public interface Greeter {
                        String greet(String name);

                        @GuestFunction("count_bytes")
                        int size(byte[] data);

                        void reset();

                        default String twice(String s) { return greet(greet(s)); }
                    }
                }
                """);
        assertTrue(c.success, c.diagnostics.toString());
        String src = c.generated("app.Outer_Greeter_CorralGuest");
        assertTrue(src.contains("public final class Outer_Greeter_CorralGuest implements app.Outer.Greeter"), src);
        assertTrue(src.contains("public Outer_Greeter_CorralGuest(Plugin plugin)"), src);
        assertTrue(src.contains("abi.export(\"greet\", SIG_0"), src);
        assertTrue(src.contains("abi.export(\"count_bytes\", SIG_1"), src);
        assertTrue(src.contains("long[] r = f0.callRaw(Abi.ptr(a0), Abi.len(a0));"), src);
        assertFalse(src.contains("twice"), src);
        assertEquals("app.Outer_Greeter_CorralGuest",
                dev.corral.internal.GuestInterfaces.implementationName("app.Outer$Greeter"), "processor and core agree on the name");
    }

    private List<String> errorsOf(String name, String source) {
        var c = Compilation.compile(tmp, name, source);
        assertFalse(c.success, "expected a compile error");
        return c.errors();
    }

    private static void assertHas(List<String> errors, String... fragments) {
        for (String e : errors) {
            boolean all = true;
            for (String f : fragments) {
                all &= e.contains(f);
            }
            if (all) {
                return;
            }
        }
        throw new AssertionError("no error contains " + List.of(fragments) + " in " + errors);
    }

    @Test
    void unsupportedTypesAreCompileErrorsNamingTheMethod() {
        var errors = errorsOf("app.Bad", """
                package app;
                import dev.corral.bindings.*;
                @HostModule("bad")
                public class Bad {
                    @HostFunction public void takesList(java.util.List<String> items) {}
                    @HostFunction public Object returnsObject() { return null; }
                    @HostFunction public void takesBoxed(Integer i) {}
                    @HostFunction public void takesChars(char[] c) {}
                }
                """);
        assertHas(errors, "takesList(java.util.List<java.lang.String>)", "app.Bad", "parameter 'items'", "unsupported type");
        assertHas(errors, "returnsObject()", "returns unsupported type java.lang.Object", "supported: int, long");
        assertHas(errors, "takesBoxed(java.lang.Integer)", "unsupported type java.lang.Integer");
        assertHas(errors, "takesChars(char[])", "unsupported type char[]");
        assertEquals(4, errors.size(), errors.toString());
    }

    @Test
    void duplicateNamesAreCompileErrors() {
        var errors = errorsOf("app.Dup", """
                package app;
                import dev.corral.bindings.*;
                @HostModule("dup")
                public class Dup {
                    @HostFunction public int getUser(int id) { return id; }
                    @HostFunction("get_user") public int other(int id) { return id; }
                    @HostFunction public int over(int a) { return a; }
                    @HostFunction public int over(long a) { return 0; }
                }
                """);
        assertHas(errors, "duplicate host function name 'get_user'", "other(int)", "getUser(int)");
        assertHas(errors, "duplicate host function name 'over'", "over(long)", "over(int)");
    }

    @Test
    void nonPublicGenericAndMisplacedMethodsAreCompileErrors() {
        var errors = errorsOf("app.Hidden", """
                package app;
                import dev.corral.bindings.*;
                import dev.corral.spi.HostContext;
                @HostModule("hidden")
                public class Hidden {
                    @HostFunction int packagePrivate(int a) { return a; }
                    @HostFunction private void secret() {}
                    @HostFunction public <T> void generic(int a) {}
                    @HostFunction public void twoContexts(HostContext a, HostContext b) {}
                }
                """);
        assertHas(errors, "packagePrivate(int)", "must be public");
        assertHas(errors, "secret()", "must be public");
        assertHas(errors, "generic(int)", "must not be generic");
        assertHas(errors, "twoContexts", "more than one HostContext");
    }

    @Test
    void guestInterfaceMisuseIsACompileError() {
        var errors = errorsOf("app.NotAnInterface", """
                package app;
                import dev.corral.bindings.*;
                @GuestInterface
                public class NotAnInterface {}
                """);
        assertHas(errors, "@GuestInterface goes on an interface");
        errors = errorsOf("app.Hidden", """
                package app;
                import dev.corral.bindings.*;
                class Hidden {
                    @GuestInterface public interface Api { int f(); }
                }
                """);
        assertHas(errors, "@GuestInterface app.Hidden.Api (through app.Hidden) must be public");
        errors = errorsOf("app.Ctx", """
                package app;
                import dev.corral.bindings.*;
                @GuestInterface
                public interface Ctx {
                    void run(dev.corral.spi.HostContext ctx);
                    java.util.Map<String, String> headers();
                    String a(); @GuestFunction("a") String b();
                }
                """);
        assertHas(errors, "run(dev.corral.spi.HostContext)", "only host functions receive");
        assertHas(errors, "headers()", "unsupported type");
        assertHas(errors, "duplicate export name 'a'");
    }

    @Test
    void inaccessibleOwnersAndEmptyModulesAreReported() {
        var errors = errorsOf("app.Owner", """
                package app;
                import dev.corral.bindings.*;
                public class Owner {
                    @HostModule("inner") public class Inner { @HostFunction public void f() {} }
                    @HostModule("") public static class Empty { }
                }
                """);
        assertHas(errors, "app.Owner.Inner is an inner class: make it static");
        assertHas(errors, "needs a non-empty wasm module name");
        errors = errorsOf("app.Quoted", """
                package app;
                import dev.corral.bindings.*;
                @HostModule("a\\"b")
                public class Quoted { @HostFunction("x\\ny") public void f() {} }
                """);
        assertHas(errors, "module name 'a\"b' contains quotes");
        var c = Compilation.compile(tmp, "app.Nothing", """
                package app;
                @dev.corral.bindings.HostModule("nothing")
                public class Nothing { public void f() {} }
                """);
        assertTrue(c.success);
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("has no @HostFunction methods")), c.warnings().toString());
    }

    @Test
    void snakeCase() {
        assertEquals("get_user_name", Model.snakeCase("getUserName"));
        assertEquals("parse_http_header", Model.snakeCase("parseHTTPHeader"));
        assertEquals("get_v2_value", Model.snakeCase("getV2Value"));
        assertEquals("url", Model.snakeCase("URL"));
        assertEquals("x", Model.snakeCase("x"));
    }
}
