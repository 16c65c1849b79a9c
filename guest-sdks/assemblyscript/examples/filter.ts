// Request hook (the rules and the header encoding: guest-sdks/README.md, "The filter example").
import { argString, retString, fail, info } from "../assembly/corral";
export { cabi_realloc, corral_abi_v1 } from "../assembly/corral";

function lowerAscii(s: string): string {
  const codes = new Array<i32>(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    codes[i] = c >= 65 && c <= 90 ? c + 32 : c;
  }
  return String.fromCharCodes(codes);
}

function deny(status: i32, method: string, path: string): u64 {
  info("deny " + status.toString() + " " + method + " " + path);
  return retString("deny " + status.toString() + "\n");
}

export function filter(mp: usize, ml: usize, pp: usize, pl: usize, hp: usize, hl: usize): u64 {
  const method = argString(mp, ml), path = argString(pp, pl), headers = argString(hp, hl);
  if (method.length == 0) fail("filter: empty method");
  const names = new Array<string>(), values = new Array<string>();
  const lines = headers.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length == 0) continue;
    const colon = line.indexOf(": ");
    if (colon <= 0) return deny(400, method, path);
    names.push(lowerAscii(line.substring(0, colon)));
    values.push(line.substring(colon + 2));
  }
  if (method != "GET" && method != "HEAD" && method != "POST") return deny(405, method, path);
  if (path.startsWith("/admin") && !names.includes("authorization")) return deny(401, method, path);
  let out = "allow\n";
  for (let i = 0; i < names.length; i++) {
    if (names[i] != "cookie") out += names[i] + ": " + values[i] + "\n";
  }
  return retString(out + "x-filtered-by: corral\n");
}
