package dev.corral.guestsdks;

import java.util.ArrayList;
import java.util.List;

/** A {@link CorralLog} host that keeps {@code "<level> <message>"} records, above a threshold. */
final class RecordingLog implements CorralLog {
    final List<String> records = new ArrayList<>();
    private final int threshold;

    RecordingLog(int threshold) {
        this.threshold = threshold;
    }

    @Override
    public void log(int level, String message) {
        if (level >= threshold) {
            records.add(level + " " + message);
        }
    }

    @Override
    public boolean enabled(int level) {
        return level >= threshold;
    }
}
