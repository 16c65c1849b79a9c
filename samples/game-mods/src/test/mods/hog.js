// Acts, then allocates without end: JavaScript's own out-of-memory error.
function onTick(tick) {
  game.spawn(1, 0);
  const keep = [];
  for (;;) keep.push(new Uint8Array(1 << 20));
}
