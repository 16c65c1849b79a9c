// Counts its ticks; odd ticks change the count (and the world) and throw. If rollback restores
// the script's state, only even ticks' increments survive, so on tick t (even) n is t / 2.
let n = 0;
function onTick(tick) {
  n++;
  if (tick % 2 === 1) {
    game.plant(2, 2, 1);
    throw new Error('odd tick ' + tick);
  }
  if (n !== tick / 2) throw new Error('state leaked from a rolled-back tick: n=' + n + ' at tick ' + tick);
}
