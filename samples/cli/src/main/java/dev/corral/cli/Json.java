package dev.corral.cli;

import java.util.List;

/** Just enough JSON writing for {@code inspect --json}; a dependency would be more code to trust than this. */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    private boolean needComma;

    Json beginObject() {
        comma();
        sb.append('{');
        needComma = false;
        return this;
    }

    Json endObject() {
        sb.append('}');
        needComma = true;
        return this;
    }

    Json beginArray(String key) {
        key(key);
        sb.append('[');
        needComma = false;
        return this;
    }

    Json endArray() {
        sb.append(']');
        needComma = true;
        return this;
    }

    Json beginObjectIn(String key) {
        key(key);
        sb.append('{');
        needComma = false;
        return this;
    }

    Json field(String key, String value) {
        key(key);
        if (value == null) {
            sb.append("null");
        } else {
            string(value);
        }
        needComma = true;
        return this;
    }

    Json field(String key, long value) {
        key(key);
        sb.append(value);
        needComma = true;
        return this;
    }

    Json field(String key, boolean value) {
        key(key);
        sb.append(value);
        needComma = true;
        return this;
    }

    Json nullField(String key) {
        key(key);
        sb.append("null");
        needComma = true;
        return this;
    }

    Json stringArray(String key, List<String> values) {
        beginArray(key);
        for (String v : values) {
            comma();
            string(v);
            needComma = true;
        }
        return endArray();
    }

    private void key(String key) {
        comma();
        string(key);
        sb.append(':');
        needComma = false;
    }

    private void comma() {
        if (needComma) {
            sb.append(',');
        }
    }

    /** RFC 8259 string: quotes, backslash and control characters escaped; everything else as is. */
    private void string(String s) {
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
                    // U+2028/2029 are legal JSON but break JavaScript consumers; lone surrogates are not valid UTF-8
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || isLoneSurrogate(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }

    static String escape(String s) {
        var j = new Json();
        j.string(s);
        return j.sb.toString();
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
