// The WASI preview1 clock, declared directly (AssemblyScript has no WASI without an extra package).
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(id: u32, precision: u64, time: usize): u16;

const REALTIME: u32 = 0;
const MONOTONIC: u32 = 1;

function read(id: u32): u64 {
  const out = heap.alloc(8);
  const errno = clock_time_get(id, 1, out);
  const t = errno == 0 ? load<u64>(out) : 0;
  heap.free(out);
  return t;
}

/** Nanoseconds since the epoch from the plugin's WASI clock, 0 if the clock fails. */
export function realtimeNanos(): u64 {
  return read(REALTIME);
}

/** Nanoseconds from the plugin's monotonic WASI clock, 0 if the clock fails. */
export function monotonicNanos(): u64 {
  return read(MONOTONIC);
}
