package dev.corral.proxywasm.servlet;

import dev.corral.proxywasm.HttpFields;
import dev.corral.proxywasm.Response;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.Collection;
import java.util.Date;
import java.util.Locale;
import java.util.TimeZone;

/**
 * Catches what the servlet answers (status, headers, body) without touching the real response,
 * so the filters' response callbacks can still change all of it.
 */
final class BufferedResponse extends HttpServletResponseWrapper {
    /** The servlet wrote more than the filters may buffer. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    private final int max;
    private int status = 200;
    private final HttpFields headers = new HttpFields();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean tooLarge;
    private String charset;
    private PrintWriter writer;
    private ServletOutputStream stream;

    BufferedResponse(HttpServletResponse original, int max) {
        super(original);
        this.max = max;
    }

    Response toResponse() throws IOException {
        if (writer != null) {
            writer.flush();
        }
        if (tooLarge) {
            throw new TooLarge();
        }
        var r = new Response(status).body(body.toByteArray());
        for (var h : headers) {
            r.headers().add(h.getKey(), h.getValue());
        }
        return r;
    }

    private void write(byte[] b, int off, int len) {
        if (body.size() + (long) len > max) {
            tooLarge = true;
            return;
        }
        body.write(b, off, len);
    }

    @Override
    public ServletOutputStream getOutputStream() {
        if (stream == null) {
            stream = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    BufferedResponse.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    BufferedResponse.this.write(b, off, len);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new IllegalStateException("asynchronous writes are not supported behind proxy-wasm filters");
                }
            };
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() {
        if (writer == null) {
            if (charset == null) {
                setCharacterEncoding("UTF-8");
            }
            Charset cs = Charset.forName(charset);
            writer = new PrintWriter(new OutputStreamWriter(getOutputStream(), cs), false);
        }
        return writer;
    }

    @Override
    public void setStatus(int sc) {
        this.status = sc;
    }

    @Override
    public int getStatus() {
        return status;
    }

    @Override
    public void sendError(int sc, String msg) {
        this.status = sc;
        body.reset();
        if (msg != null) {
            headers.set("content-type", "text/plain;charset=utf-8");
            byte[] b = (msg + "\n").getBytes(StandardCharsets.UTF_8);
            write(b, 0, b.length);
        }
    }

    @Override
    public void sendError(int sc) {
        sendError(sc, null);
    }

    @Override
    public void sendRedirect(String location) {
        this.status = 302;
        headers.set("location", location);
    }

    @Override
    public void setHeader(String name, String value) {
        if (value == null) {
            headers.remove(name);
        } else {
            headers.set(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (value != null) {
            headers.add(name, value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        setHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        addHeader(name, Integer.toString(value));
    }

    private static String date(long millis) {
        var f = new SimpleDateFormat("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US);
        f.setTimeZone(TimeZone.getTimeZone("GMT"));
        return f.format(new Date(millis));
    }

    @Override
    public void setDateHeader(String name, long date) {
        setHeader(name, date(date));
    }

    @Override
    public void addDateHeader(String name, long date) {
        addHeader(name, date(date));
    }

    @Override
    public boolean containsHeader(String name) {
        return headers.get(name) != null;
    }

    @Override
    public String getHeader(String name) {
        return headers.get(name);
    }

    @Override
    public Collection<String> getHeaders(String name) {
        return headers.getAll(name);
    }

    @Override
    public Collection<String> getHeaderNames() {
        return headers.toJoinedMap().keySet();
    }

    @Override
    public void setContentType(String type) {
        if (type == null) {
            headers.remove("content-type");
            return;
        }
        String t = type;
        int i = t.toLowerCase(Locale.ROOT).indexOf("charset=");
        if (i >= 0) {
            charset = t.substring(i + 8).trim();
        } else if (charset != null && writer != null) {
            t = t + ";charset=" + charset;
        }
        headers.set("content-type", t);
    }

    @Override
    public String getContentType() {
        return headers.get("content-type");
    }

    @Override
    public void setCharacterEncoding(String cs) {
        if (writer != null || cs == null) {
            return;
        }
        this.charset = cs;
        String ct = headers.get("content-type");
        if (ct != null) {
            int semi = ct.indexOf(';');
            headers.set("content-type", (semi < 0 ? ct : ct.substring(0, semi)) + ";charset=" + cs);
        }
    }

    @Override
    public String getCharacterEncoding() {
        return charset != null ? charset : "UTF-8";
    }

    @Override
    public void setContentLength(int len) {
        // the final length is the filters' business
    }

    @Override
    public void setContentLengthLong(long len) {
        // the final length is the filters' business
    }

    @Override
    public void setLocale(Locale loc) {
        if (loc != null) {
            headers.set("content-language", loc.toLanguageTag());
        }
    }

    @Override
    public void flushBuffer() {
        if (writer != null) {
            writer.flush();
        }
    }

    @Override
    public boolean isCommitted() {
        return false;
    }

    @Override
    public void resetBuffer() {
        body.reset();
        tooLarge = false;
    }

    @Override
    public void reset() {
        resetBuffer();
        headers.clear();
        status = 200;
    }

    @Override
    public void setBufferSize(int size) {
        // everything is buffered
    }
}
