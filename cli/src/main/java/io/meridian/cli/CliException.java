package io.meridian.cli;

/**
 * A failure the command line reports as {@code error: <code>: <message>} on stderr and exits with {@link #exitCode}:
 * a node's error answer ({@code {"error":{"code","message"}}}), an unreachable node or Kafka cluster, a missing
 * setting. Unchecked; immutable.
 */
public final class CliException extends RuntimeException {
    private final int exitCode;
    private final String code;

    public CliException(int exitCode, String code, String message) {
        this(exitCode, code, message, null);
    }

    public CliException(int exitCode, String code, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
        this.code = code;
    }

    /** The process exit code, one of {@link ExitCode}. */
    public int exitCode() {
        return exitCode;
    }

    /** The stable error code: the server's {@code error.code}, or the command line's own (e.g. {@code unreachable}). */
    public String code() {
        return code;
    }

    /** {@code error: <code>: <message>}. */
    public String render() {
        return "error: " + code + ": " + getMessage();
    }
}
