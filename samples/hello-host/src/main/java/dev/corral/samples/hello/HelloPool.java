package dev.corral.samples.hello;

import dev.corral.*;
import dev.corral.capabilities.PluginLogging;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public final class HelloPool {
    public static void main(String[] args) throws Exception {
        Path wasm = Path.of(args.length > 0 ? args[0] : "hello.wasm");
        ExecutorService requests = Executors.newFixedThreadPool(8);          // a server's request threads
        try (Corral corral = Corral.create();
             PluginPool pool = PluginPool.builder(corral.load(wasm))
                     .policy(PluginPolicy.builder()
                             .timeout(Duration.ofMillis(500))
                             .hostModule(new Host_CorralHost(new Host("Hi")))
                             .grant(PluginLogging.builder().threshold(Level.WARNING).build())
                             .build())
                     .maxSize(4)                                              // bounded: then borrowTimeout, PoolExhaustedException
                     .build()) {
            List<Future<String>> replies = new ArrayList<>();
            for (String name : List.of("Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret")) {
                replies.add(requests.submit(() ->
                        pool.apply(plugin -> plugin.as(Greeter.class).greet(name))));   // borrow, call, reset, return
            }
            for (Future<String> reply : replies) {
                System.out.println(reply.get());
            }
            System.out.println("instances made: " + pool.stats().created());   // at most 4, however many requests
        } finally {
            requests.shutdown();
        }
    }
}
