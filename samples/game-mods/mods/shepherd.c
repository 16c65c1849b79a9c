// shepherd (C, WASI reactor): keeps a flock of its own. It leads each of its creatures to the
// richest free neighbouring cell and spawns new ones at random places (WASI randomness:
// arc4random) while the flock is small; every 50 ticks it reports, with the game's clock.
#include "corral.h"
#include "game.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const int DX[4] = {1, -1, 0, 0};
static const int DY[4] = {0, 0, 1, -1};

static void say(const char *message) { game_log(message, corral_strlen(message)); }

CORRAL_EXPORT(on_load) void on_load(void) { say("ready to herd"); }

CORRAL_EXPORT(on_tick) void on_tick(int64_t tick) {
    int me = game_self(), n = game_creature_count(), flock = 0;
    for (int i = 0; i < n; i++) {
        int id = game_creature_id(i);
        if (game_creature_owner(id) != me) continue;
        flock++;
        int x = game_creature_x(id), y = game_creature_y(id), best = -1, most = game_food(x, y);
        for (int d = 0; d < 4; d++) {
            int f = game_food(x + DX[d], y + DY[d]);
            if (f > most && game_creature_at(x + DX[d], y + DY[d]) == 0) { most = f; best = d; }
        }
        if (best >= 0) game_move(id, DX[best], DY[best]);
    }
    for (int tries = 0; flock < 4 && tries < 8; tries++) {
        int x = (int) arc4random_uniform((uint32_t) game_width()), y = (int) arc4random_uniform((uint32_t) game_height());
        if (game_creature_at(x, y) == 0 && game_spawn(x, y)) break;
    }
    if (tick % 50 == 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        char line[96];
        snprintf(line, sizeof line, "tick %lld, game clock %lld.%lds: a flock of %d", (long long) tick,
                 (long long) now.tv_sec - 946684800LL, (long) (now.tv_nsec / 100000000), flock);
        say(line);
    }
}
