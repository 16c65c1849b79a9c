// Uses the AssemblyScript module generated from Demo (@HostModule "demo"); built and run by GeneratedDeclarationsTest.
import { greet, reverse, sum, add, scale, not, big, plugin_name, log } from "./demo";
export function corral_abi_v1(): void {}
export function cabi_realloc(old: usize, oldSize: usize, align: usize, size: usize): usize {
  if (size == 0) { heap.free(old); return 0; }
  return old == 0 ? heap.alloc(size) : heap.realloc(old, size);
}
export function run(): i32 {
  if (greet("Corral") != "Hello, Corral!") return -1000;
  const r = reverse(Uint8Array.wrap(String.UTF8.encode("abc")));
  if (r.length != 3 || r[0] != 99) return -2000;
  log(greet("x") + plugin_name());
  return sum(r) + add(1, 2) + <i32>scale(1.0, 2.0) + (not(true) ? 1 : 0) + <i32>big(3);
}
