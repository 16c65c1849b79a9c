package dev.corral.proxywasm.servlet;

import dev.corral.proxywasm.Request;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The servlet's view of the request after the filters: their method, path, headers and body. */
final class FilteredRequest extends HttpServletRequestWrapper {
    private final Request r;
    private Map<String, String[]> parameters;

    FilteredRequest(HttpServletRequest original, Request filtered) {
        super(original);
        this.r = filtered;
    }

    @Override
    public String getMethod() {
        return r.method();
    }

    @Override
    public String getRequestURI() {
        int q = r.path().indexOf('?');
        return q < 0 ? r.path() : r.path().substring(0, q);
    }

    @Override
    public StringBuffer getRequestURL() {
        return new StringBuffer(r.scheme() + "://" + r.authority() + getRequestURI());
    }

    @Override
    public String getQueryString() {
        int q = r.path().indexOf('?');
        return q < 0 ? null : r.path().substring(q + 1);
    }

    @Override
    public String getHeader(String name) {
        if (name.equalsIgnoreCase("host")) {
            return r.authority();
        }
        return r.headers().get(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (name.equalsIgnoreCase("host")) {
            return Collections.enumeration(List.of(r.authority()));
        }
        return Collections.enumeration(r.headers().getAll(name));
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        List<String> names = new ArrayList<>();
        names.add("host");
        for (Map.Entry<String, String> h : r.headers()) {
            if (!names.contains(h.getKey())) {
                names.add(h.getKey());
            }
        }
        return Collections.enumeration(names);
    }

    @Override
    public int getIntHeader(String name) {
        String v = getHeader(name);
        return v == null ? -1 : Integer.parseInt(v.trim());
    }

    @Override
    public long getDateHeader(String name) {
        String v = getHeader(name);
        if (v == null) {
            return -1;
        }
        try {
            var f = new SimpleDateFormat("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US);
            return f.parse(v).getTime();
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException("not a date: " + v);
        }
    }

    @Override
    public String getContentType() {
        return r.headers().get("content-type");
    }

    @Override
    public int getContentLength() {
        return r.body().length;
    }

    @Override
    public long getContentLengthLong() {
        return r.body().length;
    }

    @Override
    public String getCharacterEncoding() {
        String ct = getContentType();
        if (ct != null) {
            for (String part : ct.split(";")) {
                String p = part.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    return p.substring(8).replace("\"", "");
                }
            }
        }
        return null;
    }

    private Charset charset() {
        String enc = getCharacterEncoding();
        try {
            return enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    @Override
    public ServletInputStream getInputStream() {
        var in = new ByteArrayInputStream(r.body());
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new IllegalStateException("asynchronous reads are not supported behind proxy-wasm filters");
            }
        };
    }

    @Override
    public BufferedReader getReader() {
        return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(r.body()), charset()));
    }

    @Override
    public Map<String, String> getTrailerFields() {
        return r.trailers().toJoinedMap();
    }

    @Override
    public boolean isTrailerFieldsReady() {
        return true;
    }

    @Override
    public String getParameter(String name) {
        String[] v = getParameterMap().get(name);
        return v == null || v.length == 0 ? null : v[0];
    }

    @Override
    public String[] getParameterValues(String name) {
        return getParameterMap().get(name);
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(getParameterMap().keySet());
    }

    /** Query parameters, then form fields of a urlencoded body (the container's own parser read the original). */
    @Override
    public Map<String, String[]> getParameterMap() {
        if (parameters == null) {
            Map<String, List<String>> m = new LinkedHashMap<>();
            parse(getQueryString(), m);
            String ct = getContentType();
            if (ct != null && ct.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                parse(new String(r.body(), charset()), m);
            }
            Map<String, String[]> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, v.toArray(new String[0])));
            parameters = Collections.unmodifiableMap(out);
        }
        return parameters;
    }

    private void parse(String s, Map<String, List<String>> into) {
        if (s == null || s.isEmpty()) {
            return;
        }
        for (String pair : s.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            into.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
    }

    private String decode(String s) {
        try {
            return URLDecoder.decode(s, charset().name());
        } catch (UnsupportedEncodingException | IllegalArgumentException e) {
            return s;
        }
    }
}
