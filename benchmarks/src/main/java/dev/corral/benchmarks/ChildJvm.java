package dev.corral.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * For the CPU-time controls ({@link CallCost}, {@link TrackingCost}): one measurement in a JVM of
 * its own (as JMH's forks: a shared JVM would share the JIT's profile between cases), started on
 * this JVM's class path, answering one number on its last line.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** Runs {@code main} with {@code args} in a new JVM with {@code jvmArgs}; the number it printed last. */
    public static double run(Class<?> main, List<String> jvmArgs, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", args) + ": " + out);
        }
        String[] lines = out.split("\n");
        return Double.parseDouble(lines[lines.length - 1].trim());
    }

    /** The median of sorted values. */
    public static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
