// A WASI capability: the clock. stamp("x") -> "<seconds since the epoch> x".
import { argString, retString } from "../assembly/corral";
import { realtimeNanos } from "../assembly/corral/wasi";
export { cabi_realloc, corral_abi_v1 } from "../assembly/corral";

export function stamp(ptr: usize, len: usize): u64 {
  const secs = realtimeNanos() / 1_000_000_000;
  return retString(secs.toString() + " " + argString(ptr, len));
}
