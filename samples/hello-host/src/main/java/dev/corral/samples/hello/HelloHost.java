package dev.corral.samples.hello;

import dev.corral.*;
import dev.corral.capabilities.PluginLogging;
import java.nio.file.Path;
import java.time.Duration;

public final class HelloHost {
    public static void main(String[] args) {
        Path wasm = Path.of(args.length > 0 ? args[0] : "hello.wasm");
        try (Corral corral = Corral.create()) {                              // one engine per application
            PluginModule module = corral.load(wasm);                          // parse, validate, compile ONCE
            PluginPolicy policy = PluginPolicy.builder()                      // nothing is granted by default
                    .maxMemory(16 << 20)
                    .timeout(Duration.ofMillis(500))
                    .fuel(1_000_000)                                          // deterministic CPU budget per call
                    .hostModule(new Host_CorralHost(new Host("Hello")))      // generated from @HostModule
                    .grant(PluginLogging.builder().build())                   // the plugin may log (corral_log)
                    .build();
            try (Plugin plugin = module.instantiate(policy)) {                // cheap: one per thread or request
                int sum = plugin.call("add", 2, 3).getInt(0);
                Greeter greeter = plugin.as(Greeter.class);                   // generated from @GuestInterface
                System.out.println("2 + 3 = " + sum);
                System.out.println(greeter.greet("Corral"));
            } catch (CallTimeoutException | FuelExhaustedException | TrapException e) {
                System.err.println("the plugin misbehaved: " + e.getMessage());   // the host carries on
            }
        }
    }
}
