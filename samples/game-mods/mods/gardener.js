// gardener (JavaScript): keeps the land fertile where the herds graze. Each tick it plants food
// on the poorest free cell next to a few random creatures, and reports every 50 ticks.
let planted = 0;

function onLoad() {
  console.log(`ready on a ${game.width()}x${game.height()} world`);
}

function onTick(tick) {
  const n = game.creatureCount();
  for (let tries = 0; tries < 3 && n > 0 && game.mana() >= 2; tries++) {
    const id = game.creatureId(game.random(n));
    const x = game.creatureX(id), y = game.creatureY(id);
    let spot = null, least = 10;
    for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const f = game.food(x + dx, y + dy);
      if (f >= 0 && f < least && game.creatureAt(x + dx, y + dy) === 0) {
        least = f;
        spot = [x + dx, y + dy];
      }
    }
    if (spot && game.plant(spot[0], spot[1], 2)) planted += 2;
  }
  if (tick % 50 === 0) console.log(`tick ${tick}: ${n} creatures, ${planted} food planted so far`);
}
