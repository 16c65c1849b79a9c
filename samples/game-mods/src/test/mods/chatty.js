// Logs through every channel, and more than the per-tick limit.
function onLoad() { console.log('loaded'); }
function onTick(tick) {
  game.log('tick ' + tick + ' via game.log');
  for (let i = 0; i < 30; i++) console.log('line ' + i);
}
