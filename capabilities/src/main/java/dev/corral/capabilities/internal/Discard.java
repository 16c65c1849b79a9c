package dev.corral.capabilities.internal;

import dev.corral.capabilities.WasiOutput;

/** The no-op output: one shared instance, so strict mode can tell "nothing granted" by identity. */
public enum Discard implements WasiOutput, WasiOutput.Sink {
    INSTANCE;

    @Override
    public Sink open(String pluginName, String stream) {
        return this;
    }

    @Override
    public void write(byte[] data, int off, int len) {}

    @Override
    public long room() {
        return 0;
    }
}
