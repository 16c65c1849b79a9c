// dice.js without the odd ticks.
function onTick(tick) {
  if (tick % 2 === 1) return;
  const x = game.random(48), y = Math.floor(Math.random() * 20);
  game.plant(x, y, 2);
}
