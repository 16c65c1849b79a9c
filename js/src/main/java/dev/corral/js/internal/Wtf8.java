package dev.corral.js.internal;

import java.io.ByteArrayOutputStream;

/**
 * WTF-8: UTF-8 that also carries lone surrogates (as their 3-byte sequences). QuickJS hands out
 * and accepts strings this way, and a Java {@code String} may hold lone surrogates too, so both
 * directions round-trip exactly, where {@code String.getBytes(UTF_8)} would turn a lone surrogate
 * into {@code '?'}.
 */
public final class Wtf8 {
    private Wtf8() {}

    public static byte[] encode(String s) {
        int n = s.length();
        // fast path: ASCII only
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) s.charAt(i);
            }
            return out;
        }
        var out = new ByteArrayOutputStream(n + 16);
        for (int i = 0; i < n; i++) {
            int c = s.charAt(i);
            if (Character.isHighSurrogate((char) c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, s.charAt(++i));
            }
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            } else {
                out.write(0xF0 | (c >> 18));
                out.write(0x80 | ((c >> 12) & 0x3F));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
        return out.toByteArray();
    }

    /** Decodes WTF-8; a malformed sequence (QuickJS never makes one) becomes U+FFFD. */
    public static String decode(byte[] b) {
        var sb = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int need;
            int cp;
            if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                cp = c & 0x07;
            } else if (c >= 0xE0) {
                need = c <= 0xEF ? 2 : -1;
                cp = c & 0x0F;
            } else if (c >= 0xC2) {
                need = 1;
                cp = c & 0x1F;
            } else {
                need = -1;
                cp = 0;
            }
            if (need < 0 || i + need >= b.length) {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            boolean ok = true;
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            int min = need == 1 ? 0x80 : need == 2 ? 0x800 : 0x10000;
            if (!ok || cp < min || cp > 0x10FFFF) {
                sb.append('\uFFFD');
                i++;
                continue;
            }
            sb.appendCodePoint(cp);
            i += need + 1;
        }
        return sb.toString();
    }
}
