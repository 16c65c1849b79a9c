package dev.corral.game;

/**
 * The world as text: one character per cell. A creature shows as {@code o} (wild) or its mod's
 * letter ({@code A} for tag 1, {@code B} for tag 2 ...); an empty cell by its food:
 * {@code ' '} none, {@code .} 1-3, {@code :} 4-6, {@code *} 7-9.
 */
final class Frame {
    private Frame() {}

    static String render(World w) {
        var sb = new StringBuilder((w.width() + 3) * (w.height() + 3));
        sb.append("tick ").append(w.tick()).append("  creatures ").append(w.population()).append("  food ").append(w.totalFood()).append('\n');
        border(sb, w.width());
        for (int y = 0; y < w.height(); y++) {
            sb.append('|');
            for (int x = 0; x < w.width(); x++) {
                int id = w.occupant(x, y);
                if (id != 0) {
                    int owner = w.creature(id).owner();
                    sb.append(owner == 0 ? 'o' : (char) ('A' + (owner - 1) % 26));
                } else {
                    int f = w.food(x, y);
                    sb.append(f == 0 ? ' ' : f <= 3 ? '.' : f <= 6 ? ':' : '*');
                }
            }
            sb.append("|\n");
        }
        border(sb, w.width());
        return sb.toString();
    }

    private static void border(StringBuilder sb, int width) {
        sb.append('+');
        for (int i = 0; i < width; i++) {
            sb.append('-');
        }
        sb.append("+\n");
    }
}
