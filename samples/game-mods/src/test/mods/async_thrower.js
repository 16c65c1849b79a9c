// An async onTick: acts, awaits, then throws. The rejection is the tick's fault like a throw.
async function onTick(tick) {
  game.spawn(2, 0);
  await null;
  game.plant(0, 2, 3);
  throw new Error('rejected at ' + tick);
}
