package dev.corral.guestsdks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The module sizes the READMEs state are the sizes this build makes: the overview table of
 * guest-sdks/README.md and the "Numbers" table of each language's README. On failure, write the
 * sizes from guest-sdks/out/ (build.sh prints them) into the tables.
 */
class SizesTest {
    private static final List<String> EXAMPLES = List.of("hello", "filter", "clock");
    private static final Pattern SIZE = Pattern.compile("([\\d,]+) B\\b");

    @Test
    void overviewTableHasTheBuiltSizes() throws IOException {
        var wrong = new ArrayList<String>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            for (String example : EXAMPLES) {
                if (line.startsWith("| `" + example + "` size |")) {
                    String[] cells = line.split("\\|");
                    for (int i = 0; i < Examples.LANGUAGES.size(); i++) {
                        check(wrong, "README.md", Examples.LANGUAGES.get(i), example, cells[i + 2]);
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void languageReadmesHaveTheBuiltSizes() throws IOException {
        var wrong = new ArrayList<String>();
        for (String language : Examples.LANGUAGES) {
            Path readme = Path.of(language, "README.md");
            int rows = 0;
            for (String line : Files.readAllLines(readme)) {
                for (String example : EXAMPLES) {
                    if (line.startsWith("| " + example + " |") || line.startsWith("| " + example + " (")) {
                        rows++;
                        check(wrong, readme.toString(), language, example, line.split("\\|")[2]);
                    }
                }
            }
            assertEquals(3, rows, readme + " has a size row per example");
        }
        assertEquals(List.of(), wrong);
    }

    private static void check(List<String> wrong, String page, String language, String example, String cell) throws IOException {
        var m = SIZE.matcher(cell);
        long built = Files.size(Examples.wasm(language, example));
        if (!m.find()) {
            wrong.add(page + ": no size for " + language + " " + example + " in '" + cell.strip() + "'");
        } else if (Long.parseLong(m.group(1).replace(",", "")) != built) {
            wrong.add(page + ": " + language + " " + example + " is " + String.format(Locale.ROOT, "%,d", built)
                    + " B, not " + m.group(1) + " B");
        }
    }
}
