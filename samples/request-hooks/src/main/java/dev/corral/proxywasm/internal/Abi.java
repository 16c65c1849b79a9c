package dev.corral.proxywasm.internal;

/** Numbers of the proxy-wasm ABI (spec, abi-versions/v0.2.1, "Types"). */
public final class Abi {
    private Abi() {}

    // proxy_status_t
    public static final int OK = 0;
    public static final int NOT_FOUND = 1;
    public static final int BAD_ARGUMENT = 2;
    public static final int SERIALIZATION_FAILURE = 3;
    public static final int PARSE_FAILURE = 4;
    public static final int INVALID_MEMORY_ACCESS = 6;
    public static final int EMPTY = 7;
    public static final int CAS_MISMATCH = 8;
    public static final int INTERNAL_FAILURE = 10;
    public static final int UNIMPLEMENTED = 12;

    // proxy_action_t (callbacks may return more values, see Vm.action)
    public static final int CONTINUE = 0;
    public static final int PAUSE = 1;

    // proxy_buffer_type_t
    public static final int HTTP_REQUEST_BODY = 0;
    public static final int HTTP_RESPONSE_BODY = 1;
    public static final int DOWNSTREAM_DATA = 2;
    public static final int UPSTREAM_DATA = 3;
    public static final int HTTP_CALL_RESPONSE_BODY = 4;
    public static final int GRPC_CALL_MESSAGE = 5;
    public static final int VM_CONFIGURATION = 6;
    public static final int PLUGIN_CONFIGURATION = 7;
    public static final int FOREIGN_FUNCTION_ARGUMENTS = 8;

    // proxy_map_type_t
    public static final int HTTP_REQUEST_HEADERS = 0;
    public static final int HTTP_REQUEST_TRAILERS = 1;
    public static final int HTTP_RESPONSE_HEADERS = 2;
    public static final int HTTP_RESPONSE_TRAILERS = 3;
    public static final int GRPC_CALL_INITIAL_METADATA = 4;
    public static final int GRPC_CALL_TRAILING_METADATA = 5;
    public static final int HTTP_CALL_RESPONSE_HEADERS = 6;
    public static final int HTTP_CALL_RESPONSE_TRAILERS = 7;

    // proxy_stream_type_t
    public static final int STREAM_HTTP_REQUEST = 0;
    public static final int STREAM_HTTP_RESPONSE = 1;
    public static final int STREAM_DOWNSTREAM = 2;
    public static final int STREAM_UPSTREAM = 3;

    // proxy_metric_type_t
    public static final int METRIC_COUNTER = 0;
    public static final int METRIC_GAUGE = 1;
    public static final int METRIC_HISTOGRAM = 2;

    // proxy_log_level_t
    public static final int LOG_TRACE = 0;
    public static final int LOG_DEBUG = 1;
    public static final int LOG_INFO = 2;
    public static final int LOG_WARN = 3;
    public static final int LOG_ERROR = 4;
    public static final int LOG_CRITICAL = 5;

    public static System.Logger.Level level(int abiLevel) {
        switch (abiLevel) {
            case LOG_TRACE: return System.Logger.Level.TRACE;
            case LOG_DEBUG: return System.Logger.Level.DEBUG;
            case LOG_INFO: return System.Logger.Level.INFO;
            case LOG_WARN: return System.Logger.Level.WARNING;
            default: return System.Logger.Level.ERROR;
        }
    }
}
