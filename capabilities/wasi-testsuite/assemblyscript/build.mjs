// Compiles every test here into <out>/<name>.wasm in one Node process (one compiler start-up for
// all of them), the way the suite builds them: asc with @assemblyscript/wasi-shim's config.
// Usage: node build.mjs <out-dir>
import asc from "assemblyscript/asc";
import { readdirSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2];
mkdirSync(out, { recursive: true });
const here = new URL(".", import.meta.url).pathname;
process.chdir(here); // the shim's asconfig.json names its library relative to the working directory
let failed = 0;
for (const f of readdirSync(here).filter((f) => f.endsWith(".ts")).sort()) {
  const name = f.slice(0, -3);
  const target = join(out, name + ".wasm");
  try {
    if (statSync(target).mtimeMs >= statSync(join(here, f)).mtimeMs) continue;
  } catch {
    // not built yet
  }
  const { error, stderr } = await asc.main([
    f, "--config", "node_modules/@assemblyscript/wasi-shim/asconfig.json",
    "-O2", "-o", target,
  ]);
  if (error) {
    console.error(`${f}: ${error.message}\n${stderr.toString()}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
