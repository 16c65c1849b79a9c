// A test filter written with the AssemblyScript proxy-wasm SDK (@solo-io/proxy-runtime 0.1.8):
// header add/replace/remove, a 403 local reply, body rewriting after pausing until the end of the
// stream, a shared-data counter, ticks, and an abort. proxy-runtime 0.1.8's shared-data and
// set-buffer helpers are broken (wrong pointers; proxy_set_buffer_bytes imported under the wrong
// name), so those two use the ABI directly, through the SDK's own import declarations.
export * from "@solo-io/proxy-runtime/proxy";
import {
  RootContext, Context, registerRootContext, FilterHeadersStatusValues, FilterDataStatusValues,
  stream_context, send_local_response, LogLevelValues, log, GrpcStatusValues, HeaderPair,
} from "@solo-io/proxy-runtime";
import { set_tick_period_milliseconds, get_buffer_bytes } from "@solo-io/proxy-runtime/runtime";
import { proxy_get_shared_data, proxy_set_shared_data } from "@solo-io/proxy-runtime/imports";

// @ts-ignore: decorator
@external("env", "proxy_set_buffer_bytes")
declare function proxy_set_buffer_bytes(typ: u32, start: u32, length: u32, data: usize, size: usize): u32;

const cell = new ArrayBuffer(16); // out-parameters: value pointer, value size, cas

function sharedGet(key: string): u64 {
  const k = String.UTF8.encode(key);
  const p = changetype<usize>(cell);
  if (proxy_get_shared_data(changetype<usize>(k), k.byteLength, p, p + 4, p + 8) != 0) {
    store<u32>(p + 8, 0);
    return 0;
  }
  const ptr = load<u32>(p);
  const len = load<u32>(p + 4);
  let n: u64 = 0;
  for (let i: u32 = 0; i < len; i++) {
    n = n * 10 + <u64>(load<u8>(ptr + i) - 48);
  }
  return n;
}

// increments a shared counter with compare-and-swap, retrying on a concurrent update
function bump(key: string): u64 {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const n = sharedGet(key);
    const cas = load<u32>(changetype<usize>(cell) + 8);
    const k = String.UTF8.encode(key);
    const v = String.UTF8.encode((n + 1).toString());
    if (proxy_set_shared_data(changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength, cas) == 0) {
      return n + 1;
    }
  }
  return 0;
}

class AsRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new AsFilter(context_id, this);
  }
  onConfigure(size: u32): bool {
    set_tick_period_milliseconds(20);
    return true;
  }
  onTick(): void {
    bump("as_ticks");
  }
}

class AsFilter extends Context {
  constructor(context_id: u32, root_context: AsRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const path = stream_context.headers.request.get(":path");
    if (path.startsWith("/deny")) {
      const headers: Array<HeaderPair> = [];
      send_local_response(403, "as_denied", String.UTF8.encode("denied by as_filter\n"), headers, GrpcStatusValues.Unknown);
      return FilterHeadersStatusValues.StopIteration;
    }
    if (path.startsWith("/abort")) {
      throw new Error("as_filter aborts on purpose");
    }
    log(LogLevelValues.info, "as_filter saw " + path);
    stream_context.headers.request.add("x-as-added", "yes");
    stream_context.headers.request.replace("x-as-replace", "replaced");
    stream_context.headers.request.remove("x-as-remove");
    stream_context.headers.request.add("x-as-count", bump("as_requests").toString());
    return FilterHeadersStatusValues.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    if (!end_of_stream) {
      return FilterDataStatusValues.StopIterationAndBuffer; // wait for the whole body
    }
    const body = String.UTF8.decode(get_buffer_bytes(0, 0, <u32>body_buffer_length));
    const rewritten = String.UTF8.encode(body.replaceAll("cat", "dog") + "|as");
    proxy_set_buffer_bytes(0, 0, <u32>body_buffer_length, changetype<usize>(rewritten), rewritten.byteLength);
    return FilterDataStatusValues.Continue;
  }

  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-as-response", "yes");
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => { return new AsRoot(context_id); }, "as_filter");
