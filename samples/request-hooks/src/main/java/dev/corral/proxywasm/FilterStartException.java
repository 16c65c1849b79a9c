package dev.corral.proxywasm;

import dev.corral.CorralException;

/**
 * A filter's VM could not be started when the filter was built: the module does not link, its
 * start-up code failed, or {@code proxy_on_vm_start} / {@code proxy_on_configure} refused the
 * configuration. The message says which; the cause is Corral's exception, if any.
 */
public final class FilterStartException extends CorralException {
    private static final long serialVersionUID = 1L;

    public FilterStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
