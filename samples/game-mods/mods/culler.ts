// culler (AssemblyScript): keeps the wild herd from overgrazing. Every 5 ticks, when more than 70
// creatures live, it smites the strongest wild one (its body feeds the land).
import * as game from "./game";
export { corral_abi_v1 } from "./corral";

export function on_tick(tick: i64): void {
  const n = game.creature_count();
  if (n <= 70 || tick % 5 != 0) return;
  let chosen = 0;
  let strongest = -1;
  for (let i = 0; i < n; i++) {
    const id = game.creature_id(i);
    if (game.creature_owner(id) == 0) {
      const e = game.creature_energy(id);
      if (e > strongest) {
        strongest = e;
        chosen = id;
      }
    }
  }
  if (chosen != 0 && game.smite(chosen)) {
    game.log("culled #" + chosen.toString() + " (" + strongest.toString() + " energy) among " + n.toString());
  }
}
