// Draws from game.random and Math.random every tick and plants where they say; odd ticks throw
// after drawing. If a rolled-back tick rewinds both, the world ends like dice_calm.js's.
function onTick(tick) {
  const x = game.random(48), y = Math.floor(Math.random() * 20);
  if (tick % 2 === 1) throw new Error('odd');
  game.plant(x, y, 2);
}
