package dev.corral.internal.cache;

import dev.corral.CompileCache;
import java.util.concurrent.ConcurrentHashMap;

public final class InMemoryCompileCache implements CompileCache {
    private final ConcurrentHashMap<String, byte[]> entries = new ConcurrentHashMap<>();

    @Override
    public byte[] get(String key) {
        return entries.get(key);
    }

    @Override
    public void putIfAbsent(String key, byte[] data) {
        entries.putIfAbsent(key, data);
    }
}
