package dev.corral.js;

import dev.corral.spi.HostContext;

/** A host API as a game would offer it (public: JavaScript reaches it through a method handle). */
public interface Board {
    int width();

    int spawn(int x, int y);

    boolean move(int id, int dx, int dy);

    long ticks();

    double ratio(double a, double b);

    float half(float f);

    String describe(int id);

    void log(String message);

    String whoAmI(HostContext context);

    void fail(String message);
}
