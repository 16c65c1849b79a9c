package dev.corral.processor;

import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/** What the processor read from one annotated type. */
final class Model {
    record Param(String name, Kind kind) {}

    record Method(ExecutableElement element, String javaName, String wasmName, boolean isStatic, List<Param> params, Kind result) {
        boolean pointers() {
            return result.pointer() || params.stream().anyMatch(p -> p.kind().pointer());
        }

        /** wasm parameter types in order, e.g. [I32, I32, I64]. */
        List<String> wasmParams() {
            return params.stream().flatMap(p -> p.kind().wasmParams.stream()).toList();
        }

        String signature() {
            return "FunctionSignature.of(List.of(" + String.join(", ", wasmParams().stream().map(t -> "ValueType." + t).toList())
                    + "), List.of(" + (result.wasmResult == null ? "" : "ValueType." + result.wasmResult) + "))";
        }
    }

    /** A @HostModule or @GuestInterface type. */
    record Type(TypeElement element, String packageName, String qualifiedName, String generatedSimpleName, String moduleName,
            List<Method> methods) {
        String generatedQualifiedName() {
            return packageName.isEmpty() ? generatedSimpleName : packageName + "." + generatedSimpleName;
        }

        boolean pointers() {
            return methods.stream().anyMatch(Method::pointers);
        }
    }

    private Model() {}

    /** {@code getUserName} → {@code get_user_name}, {@code parseHTTPHeader} → {@code parse_http_header}. */
    static String snakeCase(String name) {
        var sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLowerOrDigit = i > 0 && (Character.isLowerCase(name.charAt(i - 1)) || Character.isDigit(name.charAt(i - 1)));
                boolean acronymEnd = i > 0 && Character.isUpperCase(name.charAt(i - 1)) && i + 1 < name.length()
                        && Character.isLowerCase(name.charAt(i + 1));
                if (prevLowerOrDigit || acronymEnd) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
