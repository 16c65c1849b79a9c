package dev.corral.proxywasm;

import java.util.Objects;

/**
 * One fault of one filter on one request, as reported to {@code ProxyWasmFilter.Builder.onFault}
 * listeners and logged at WARNING.
 */
public final class FilterFault {
    private final String filter;
    private final FaultKind kind;
    private final String callback;
    private final FailStrategy strategy;
    private final Throwable cause;

    public FilterFault(String filter, FaultKind kind, String callback, FailStrategy strategy, Throwable cause) {
        this.filter = Objects.requireNonNull(filter, "filter");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.callback = Objects.requireNonNull(callback, "callback");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.cause = cause;
    }

    public String filter() {
        return filter;
    }

    public FaultKind kind() {
        return kind;
    }

    /** The callback that faulted, e.g. {@code proxy_on_request_headers}. */
    public String callback() {
        return callback;
    }

    /** What was done about it: the request failed closed, or went on without this filter. */
    public FailStrategy strategy() {
        return strategy;
    }

    /** The Corral exception behind it (a {@code TrapException}, {@code CallTimeoutException} ...), if any. */
    public Throwable cause() {
        return cause;
    }

    @Override
    public String toString() {
        return "filter '" + filter + "' faulted (" + kind + ") in " + callback + ", failing "
                + (strategy == FailStrategy.FAIL_OPEN ? "open" : "closed")
                + (cause == null ? "" : ": " + cause.getMessage());
    }
}
