// Acts, then loops forever: stopped by the tick's fuel.
function onTick(tick) {
  game.plant(1, 1, 3);
  while (true) {}
}
