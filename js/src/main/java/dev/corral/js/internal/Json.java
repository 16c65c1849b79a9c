package dev.corral.js.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON text for the values that cross between Java and JavaScript: {@code null}, {@link Boolean},
 * numbers, {@link String}, {@link List} (and arrays), {@link Map} with string keys. Composite
 * values cross as JSON text because one {@code JSON.parse}/{@code JSON.stringify} inside the engine
 * is far cheaper than building a value with one guest call per property.
 *
 * <p>Numbers read back as {@link Integer} when integral and in int range, {@link Long} when
 * integral and in long range, else {@link Double}.
 */
public final class Json {
    /** Deeper nesting is refused both ways (no Java stack overflow on hostile input). */
    public static final int MAX_DEPTH = 500;
    /** 2^53: the largest integer a JavaScript number holds exactly. */
    private static final long MAX_SAFE = 1L << 53;

    private Json() {}

    // ---- writing ----

    /** The JSON text of {@code value}; throws IllegalArgumentException for values JSON cannot carry. */
    public static String write(Object value) {
        var sb = new StringBuilder();
        write(sb, value, 0, Collections.newSetFromMap(new IdentityHashMap<>()));
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int depth, Set<Object> path) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("value nested deeper than " + MAX_DEPTH + " levels");
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Number) {
            sb.append(number((Number) v));
        } else if (v instanceof CharSequence || v instanceof Character) {
            string(sb, v.toString());
        } else if (v instanceof Map) {
            enter(v, path);
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException("map keys must be strings for JavaScript, got " + describe(e.getKey()));
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, (String) e.getKey());
                sb.append(':');
                write(sb, e.getValue(), depth + 1, path);
            }
            sb.append('}');
            path.remove(v);
        } else if (v instanceof Iterable) {
            enter(v, path);
            sb.append('[');
            boolean first = true;
            for (Object o : (Iterable<?>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, o, depth + 1, path);
            }
            sb.append(']');
            path.remove(v);
        } else if (v.getClass().isArray()) {
            enter(v, path);
            sb.append('[');
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, Array.get(v, i), depth + 1, path);
            }
            sb.append(']');
            path.remove(v);
        } else {
            throw new IllegalArgumentException("cannot pass " + describe(v)
                    + " to JavaScript: use String, numbers, Boolean, null, List or Map<String, ?>");
        }
    }

    private static void enter(Object v, Set<Object> path) {
        if (!path.add(v)) {
            throw new IllegalArgumentException("cannot pass a value that contains itself to JavaScript");
        }
    }

    /** A number as JavaScript would read it, refusing what it cannot hold exactly or at all. */
    static String number(Number n) {
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.toString();
        }
        if (n instanceof Long) {
            long l = n.longValue();
            if (l > MAX_SAFE || l < -MAX_SAFE) {
                throw new IllegalArgumentException(l + " is not exactly representable as a JavaScript number (beyond 2^53)");
            }
            return n.toString();
        }
        if (n instanceof BigInteger || n instanceof BigDecimal) {
            return number(n.doubleValue());
        }
        return number(n.doubleValue());
    }

    private static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException(d + " has no JSON form; JavaScript would receive null");
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    // escape controls and surrogates: a lone surrogate survives as \\uD8xx
                    if (c < 0x20 || Character.isSurrogate(c) || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    private static String describe(Object o) {
        return o == null ? "null" : "a " + o.getClass().getName();
    }

    // ---- reading ----

    /** Parses JSON text (as JSON.stringify writes it); throws IllegalArgumentException on bad input. */
    public static Object read(String text) {
        var r = new Reader(text);
        r.space();
        Object v = r.value(0);
        r.space();
        if (r.pos != text.length()) {
            throw r.error("trailing characters");
        }
        return v;
    }

    private static final class Reader {
        final String s;
        int pos;

        Reader(String s) {
            this.s = s;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH + " levels");
            }
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{': return object(depth);
                case '[': return array(depth);
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected '" + c + "'");
            }
        }

        Map<String, Object> object(int depth) {
            pos++;
            var m = new LinkedHashMap<String, Object>();
            space();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                space();
                if (peek() != '"') {
                    throw error("expected a property name");
                }
                String k = string();
                space();
                expect(':');
                space();
                m.put(k, value(depth + 1));
                space();
                char c = next();
                if (c == '}') {
                    return m;
                }
                if (c != ',') {
                    throw error("expected ',' or '}'");
                }
            }
        }

        List<Object> array(int depth) {
            pos++;
            var l = new ArrayList<Object>();
            space();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                space();
                l.add(value(depth + 1));
                space();
                char c = next();
                if (c == ']') {
                    return l;
                }
                if (c != ',') {
                    throw error("expected ',' or ']'");
                }
            }
        }

        String string() {
            pos++;
            var sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length()) {
                            throw error("bad \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                        break;
                    default:
                        throw error("bad escape '\\" + e + "'");
                }
            }
        }

        Object number() {
            int start = pos;
            boolean integral = true;
            if (peek() == '-') {
                pos++;
            }
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c >= '0' && c <= '9') {
                    pos++;
                } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                    integral = false;
                    pos++;
                } else {
                    break;
                }
            }
            String t = s.substring(start, pos);
            try {
                if (integral && t.length() <= 18) {
                    long l = Long.parseLong(t);
                    return l == (int) l ? (Object) (int) l : (Object) l;
                }
                double d = Double.parseDouble(t);
                if (d == Math.rint(d) && Math.abs(d) <= MAX_SAFE) {
                    long l = (long) d;
                    return l == (int) l ? (Object) (int) l : (Object) l;
                }
                return d;
            } catch (NumberFormatException e) {
                throw error("bad number '" + t + "'");
            }
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) {
                throw error("unexpected token");
            }
            pos += word.length();
            return v;
        }

        void space() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        char next() {
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(pos++);
        }

        void expect(char c) {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad JSON at offset " + pos + ": " + what);
        }
    }
}
