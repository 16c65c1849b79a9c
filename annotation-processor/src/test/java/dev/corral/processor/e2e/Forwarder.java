package dev.corral.processor.e2e;

import dev.corral.bindings.GuestFunction;
import dev.corral.bindings.GuestInterface;
import java.nio.ByteBuffer;

/** abi_guest.wat seen from Java: every call crosses host -> guest -> host -> guest -> host. */
@GuestInterface
public interface Forwarder {
    String callGreet(String s);

    byte[] callReverse(byte[] b);

    int callSum(ByteBuffer b);

    int callAdd(int a, int b);

    double callScale(double d, float f);

    boolean callNot(boolean b);

    long callBig(long x);

    String callPluginName();

    void callLog(String s);

    @GuestFunction("greet")
    String guestGreet(String s);

    @GuestFunction("raw_result")
    String rawResult(long packed);

    byte[] rawResultBytes(long packed);

    void setAllocMode(int mode);

    int allocs();

    int frees();

    default String twice(String s) {
        return guestGreet(guestGreet(s));
    }
}
