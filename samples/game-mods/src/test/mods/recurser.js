// Acts, then recurses without end: JavaScript's own RangeError.
function deeper(n) { return deeper(n + 1) + 1; }
function onTick(tick) {
  game.spawn(0, 1);
  deeper(0);
}
