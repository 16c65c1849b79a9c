package dev.corral.proxywasm;

import java.util.Map;

/**
 * A filter's counters since it was built.
 *
 * @param requests streams that entered the filter
 * @param localReplies responses the filter sent itself ({@code proxy_send_local_response})
 * @param faults faults by kind (each also counted in {@code vmsReplaced} unless it was OVERLOADED, START, or a
 *     HOST fault before the filter saw the stream)
 * @param vmsStarted VMs started (instantiated, {@code proxy_on_vm_start}ed and configured)
 * @param vmsReplaced VMs thrown away after a fault
 * @param deniedCalls outbound calls ({@code proxy_http_call}, gRPC, foreign functions) refused
 * @param ticks {@code proxy_on_tick} callbacks delivered
 */
public record FilterStats(long requests, long localReplies, Map<FaultKind, Long> faults, long vmsStarted,
        long vmsReplaced, long deniedCalls, long ticks) {
    public long faultCount() {
        return faults.values().stream().mapToLong(Long::longValue).sum();
    }
}
