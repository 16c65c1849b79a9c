package dev.corral.js;

import dev.corral.CorralException;
import java.util.Locale;
import java.util.Optional;

/**
 * A JavaScript exception that the script did not catch: a {@code throw} in the script, or one of
 * the engine's own errors, including its stack overflow ({@code RangeError: Maximum call stack
 * size exceeded}) and running out of its heap ({@code InternalError: out of memory}). The engine
 * unwound cleanly, so the plugin keeps its state and can be called again.
 *
 * <p>Exhausting the sandbox itself (fuel, deadline, wasm memory or the JVM thread's stack) is a
 * different failure: core's {@code FuelExhaustedException}, {@code CallTimeoutException},
 * {@code TrapException} or {@code StackExhaustedException}, after which the plugin is reset.
 */
public final class JsException extends CorralException {
    private static final long serialVersionUID = 1L;

    /** What kind of JavaScript failure this is. */
    public enum Kind {
        /** Any exception the script threw, or a type/reference/syntax error. */
        THROWN,
        /** The engine's own stack limit ({@code RangeError: Maximum call stack size exceeded}). */
        STACK_OVERFLOW,
        /** The engine's heap limit ({@code InternalError: out of memory}). */
        OUT_OF_MEMORY
    }

    private final String plugin;
    private final String jsName;
    private final String jsMessage;
    private final String jsStack;
    private final Kind kind;

    /**
     * @param jsName the error's {@code name} ({@code TypeError} ...), or null when the script threw
     *     something that is not an Error (a string, a number, an object)
     */
    public JsException(String plugin, String jsName, String jsMessage, String jsStack) {
        super(message(plugin, jsName, jsMessage, jsStack));
        this.plugin = plugin;
        this.jsName = jsName;
        this.jsMessage = jsMessage == null ? "" : jsMessage;
        this.jsStack = jsStack == null ? "" : jsStack;
        this.kind = kind(jsName, this.jsMessage);
    }

    private static String message(String plugin, String name, String message, String stack) {
        var sb = new StringBuilder("JavaScript plugin '").append(plugin).append("' threw ");
        sb.append(name == null ? "a non-Error value: " + message : name + ": " + message);
        if (stack != null && !stack.isBlank()) {
            sb.append('\n').append(stack.stripTrailing());
        }
        return sb.toString();
    }

    private static Kind kind(String name, String message) {
        if ("RangeError".equals(name) && message.toLowerCase(Locale.ROOT).contains("call stack")) {
            return Kind.STACK_OVERFLOW;
        }
        if ("InternalError".equals(name) && message.toLowerCase(Locale.ROOT).contains("out of memory")) {
            return Kind.OUT_OF_MEMORY;
        }
        return Kind.THROWN;
    }

    public String pluginName() {
        return plugin;
    }

    /** The error's {@code name} ({@code "TypeError"}), empty when a non-Error value was thrown. */
    public Optional<String> jsName() {
        return Optional.ofNullable(jsName);
    }

    /** The error's {@code message}, or the thrown value as a string. */
    public String jsMessage() {
        return jsMessage;
    }

    /** The JavaScript stack trace, one {@code at fn (file:line:column)} per line; may be empty. */
    public String jsStack() {
        return jsStack;
    }

    public Kind kind() {
        return kind;
    }
}
