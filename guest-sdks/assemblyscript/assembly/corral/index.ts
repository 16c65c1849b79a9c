// Corral guest SDK for AssemblyScript: guest ABI v1 (guest-sdks/ABI.md), logging, errors.
//
// A plugin's entry file re-exports the ABI exports and writes each export on (ptr, len) pairs:
//
//   import { argString, retString } from "<sdk>/assembly/corral";
//   export { cabi_realloc, corral_abi_v1 } from "<sdk>/assembly/corral";
//   export function greet(ptr: usize, len: usize): u64 {
//     return retString("Hello, " + argString(ptr, len) + "!");
//   }
//
// Build with the incremental runtime (the default): arguments and results live on `heap`
// (freed by the host) and every string made during a call is garbage collected, so inputs of
// many MiB can be handled call after call. (`--runtime stub` never frees and runs out of memory.)
import * as corral_log from "./corral_log";

/** The ABI version marker: never called, only its presence in the exports counts. */
export function corral_abi_v1(): void {}

/**
 * The ABI allocator on AssemblyScript's `heap` (guest-sdks/ABI.md section 2): results the host
 * hands over are released with `heap.free`, and results given to the host come from `heap.alloc`.
 */
export function cabi_realloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  // heap blocks are 16-byte aligned; the host always asks for 1
  if (align > 16) return 0;
  if (newSize == 0) {
    if (oldPtr != 0) heap.free(oldPtr);
    return 0;
  }
  if (oldPtr == 0) return heap.alloc(newSize);
  return heap.realloc(oldPtr, newSize);
}

// ---- arguments: lent by the host for the call ----

/** A string argument (UTF-8 in guest memory) as an AssemblyScript string. */
export function argString(ptr: usize, len: usize): string {
  if (len == 0) return "";
  return String.UTF8.decodeUnsafe(ptr, len);
}

/** A bytes argument, copied. */
export function argBytes(ptr: usize, len: usize): Uint8Array {
  const out = new Uint8Array(<i32>len);
  if (len != 0) memory.copy(out.dataStart, ptr, len);
  return out;
}

// ---- results: given to the host, which frees them ----

function pack(ptr: usize, len: usize): u64 {
  return (<u64>ptr << 32) | <u64>len;
}

/** A string result: UTF-8 on `heap`, packed as ptr << 32 | len. */
export function retString(s: string): u64 {
  const len = <usize>String.UTF8.byteLength(s);
  if (len == 0) return 0;
  const ptr = heap.alloc(len);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, ptr);
  return pack(ptr, len);
}

/** A bytes result, copied to `heap`. */
export function retBytes(b: Uint8Array): u64 {
  const len = <usize>b.length;
  if (len == 0) return 0;
  const ptr = heap.alloc(len);
  memory.copy(ptr, b.dataStart, len);
  return pack(ptr, len);
}

// ---- logging (host module corral_log; granted with corral-capabilities' PluginLogging) ----

export const TRACE: i32 = 0;
export const DEBUG: i32 = 1;
export const INFO: i32 = 2;
export const WARN: i32 = 3;
export const ERROR: i32 = 4;

/** One UTF-8 record in the host log. A plugin that never logs does not import corral_log. */
export function log(level: i32, message: string): void {
  corral_log.log(level, message);
}

/** Whether the host keeps this level: check before building expensive messages. */
export function logEnabled(level: i32): bool {
  return corral_log.enabled(level);
}

export function info(message: string): void {
  corral_log.log(INFO, message);
}

export function warn(message: string): void {
  corral_log.log(WARN, message);
}

/**
 * Reports an error to the host and ends the call: logged at ERROR, then the plugin traps (the
 * host sees a TrapException and should discard the instance).
 */
export function fail(message: string): void {
  corral_log.log(ERROR, message);
  unreachable();
}

/**
 * An `abort` that reports AssemblyScript's own failures (bounds checks, out of memory) through
 * the host log: build with `--use abort=<path to this file without .ts>/corralAbort`. Plugins
 * without a logging grant use `--use abort=` (a bare trap).
 */
export function corralAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  corral_log.log(ERROR, "abort: " + (message !== null ? message : "") + " at " + (fileName !== null ? fileName : "?") + ":" + line.toString() + ":" + column.toString());
  unreachable();
}
