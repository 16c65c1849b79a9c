// Acts on the world, then throws: every tick faults, and none of its changes may survive.
function onTick(tick) {
  game.spawn(0, 0);
  game.plant(1, 1, 3);
  throw new Error('boom at ' + tick);
}
