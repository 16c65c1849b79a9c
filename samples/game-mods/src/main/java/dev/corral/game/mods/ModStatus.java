package dev.corral.game.mods;

/**
 * One mod at the end of (or during) a run.
 *
 * @param ticks ticks the mod played to the end (faulted ticks not counted)
 * @param faults faulted ticks over the whole run
 * @param fuel fuel spent in its tick calls, faulted ones included (loading not counted)
 * @param reason why it is disabled, empty while active
 */
public record ModStatus(String name, boolean active, long ticks, long faults, long fuel, String reason) {
    /** The contract line: {@code mod NAME: status=active|disabled ticks=N faults=F fuel=TOTAL}. */
    public String line() {
        return "mod " + name + ": status=" + (active ? "active" : "disabled") + " ticks=" + ticks + " faults=" + faults + " fuel=" + fuel;
    }
}
