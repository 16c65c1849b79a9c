package dev.corral.proxywasm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * An ordered list of HTTP header (or trailer) fields, as proxy-wasm sees them: names in lower
 * case, repeated names kept in order, values as Latin-1 strings (one char per byte, so the bytes a
 * filter writes come back unchanged). Pseudo-headers ({@code :path}, {@code :status}) are not kept
 * here: they are fields of {@link Request} and {@link Response}. Mutable, not thread-safe.
 */
public final class HttpFields implements Iterable<Map.Entry<String, String>> {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    public HttpFields() {}

    public static HttpFields of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs");
        }
        var f = new HttpFields();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            f.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return f;
    }

    public HttpFields copy() {
        var f = new HttpFields();
        f.names.addAll(names);
        f.values.addAll(values);
        return f;
    }

    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    public int size() {
        return names.size();
    }

    public boolean isEmpty() {
        return names.isEmpty();
    }

    public String name(int i) {
        return names.get(i);
    }

    public String value(int i) {
        return values.get(i);
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        String k = key(name);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(k)) {
                return values.get(i);
            }
        }
        return null;
    }

    public List<String> getAll(String name) {
        String k = key(name);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(k)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    public HttpFields add(String name, String value) {
        names.add(key(Objects.requireNonNull(name, "name")));
        values.add(Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Replaces the first field of that name and removes the others, or adds one. */
    public HttpFields set(String name, String value) {
        String k = key(name);
        Objects.requireNonNull(value, "value");
        int first = -1;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equals(k)) {
                if (first < 0) {
                    first = i;
                    values.set(i, value);
                } else {
                    names.remove(i);
                    values.remove(i);
                    i--;
                }
            }
        }
        if (first < 0) {
            add(k, value);
        }
        return this;
    }

    public HttpFields remove(String name) {
        String k = key(name);
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equals(k)) {
                names.remove(i);
                values.remove(i);
            }
        }
        return this;
    }

    public void clear() {
        names.clear();
        values.clear();
    }

    /** Names in first-seen order, each once, with their values joined by {@code ", "}. */
    public Map<String, String> toJoinedMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.merge(names.get(i), values.get(i), (a, b) -> a + ", " + b);
        }
        return out;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < names.size();
            }

            @Override
            public Map.Entry<String, String> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                var e = Map.entry(names.get(i), values.get(i));
                i++;
                return e;
            }
        };
    }

    @Override
    public String toString() {
        return toJoinedMap().toString();
    }
}
