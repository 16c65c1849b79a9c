// greet: any UTF-8 string in, "Hello, <input>!" out.
import { argString, retString } from "../assembly/corral";
export { cabi_realloc, corral_abi_v1 } from "../assembly/corral";

export function greet(ptr: usize, len: usize): u64 {
  return retString("Hello, " + argString(ptr, len) + "!");
}
