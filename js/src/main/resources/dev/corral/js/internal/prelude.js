// corral-js prelude: evaluated once per plugin, before the plugin's script, to a function the host
// calls with the raw host functions. It installs the exposed host objects and `console`, seeds
// Math.random when asked, and returns the helpers the host uses afterwards (kept by the host, out
// of the script's reach). It runs before any snapshot is taken, so every snapshot contains it.
(function (raw, specJson, seeded, s0, s1, s2, s3) {
  'use strict';
  const g = globalThis;
  const define = Object.defineProperty, freeze = Object.freeze, keys = Object.keys;
  const parse = JSON.parse, stringify = JSON.stringify;
  const ErrorCtor = Error, StringCtor = String;
  const spec = parse(specJson);

  // host objects: frozen, not writable, not configurable: a script cannot swap game.spawn for its own
  for (const name of keys(spec.objects)) {
    const o = {};
    for (const f of spec.objects[name]) o[f[0]] = raw[f[1]];
    define(g, name, { value: freeze(o), writable: false, enumerable: false, configurable: false });
  }
  const c = spec.console;
  define(g, 'console', {
    value: freeze({ debug: raw[c[0]], log: raw[c[1]], info: raw[c[2]], warn: raw[c[3]], error: raw[c[4]] }),
    writable: true, enumerable: false, configurable: true
  });

  if (seeded) {
    // sfc32 on 32-bit integer maths: the same numbers on every engine and run
    let a = s0 | 0, b = s1 | 0, d = s2 | 0, n = s3 | 0;
    define(Math, 'random', {
      value: function random() {
        const t = (((a + b) | 0) + n) | 0;
        n = (n + 1) | 0;
        a = b ^ (b >>> 9);
        b = (d + (d << 3)) | 0;
        d = (d << 21) | (d >>> 11);
        d = (d + t) | 0;
        return (t >>> 0) / 4294967296;
      },
      writable: true, enumerable: false, configurable: true
    });
  }

  function show(v) {
    if (typeof v === 'string') return v;
    try {
      const s = stringify(v);
      return s === undefined ? StringCtor(v) : s;
    } catch (e) {
      try { return StringCtor(v); } catch (e2) { return '[value]'; }
    }
  }

  return [
    // 0: JSON text -> value (arguments from the host)
    function parseArgument(s) { return parse(s); },
    // 1: value -> JSON text (results for the host); undefined and functions become null
    function encodeResult(v) { const s = stringify(v); return s === undefined ? 'null' : s; },
    // 2: an uncaught exception -> JSON [name or null, message, stack]
    function describe(e) {
      try {
        if (e instanceof ErrorCtor) {
          return stringify([StringCtor(e.name), StringCtor(e.message), typeof e.stack === 'string' ? e.stack : '']);
        }
        return stringify([null, show(e), '']);
      } catch (x) {
        return '[null,"(an exception that could not be described)",""]';
      }
    },
    // 3, 4: error constructors for errors the host throws into the script
    TypeError,
    Error,
    // 5: any value -> text, for console output
    show
  ];
})
