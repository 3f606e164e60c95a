package io.meridian.cli;

/**
 * The exit codes of {@code meridianctl}, distinct so scripts can tell "you asked for something wrong" from "try
 * again later".
 * <ul>
 *   <li>{@value #OK}: done;</li>
 *   <li>{@value #SERVER_ERROR}: the node refused the request (a 4xx answer): fix the request;</li>
 *   <li>{@value #USAGE}: the command line is wrong (unknown option, missing argument, bad value);</li>
 *   <li>{@value #UNAVAILABLE}: the node or Kafka cannot be reached, timed out, or answered 5xx: retry later;</li>
 *   <li>{@value #MIGRATION_FAILED}: {@code migrate watch <id>} saw the migration end {@code failed} or
 *       {@code cancelled}, or {@code sync status --watch} saw a sync
 *       fail its digest check;</li>
 *   <li>{@value #INTERNAL}: a bug in {@code meridianctl};</li>
 *   <li>{@value #NOT_HEALTHY}: {@code replication health} answered, and its status is not {@code healthy};</li>
 *   <li>{@value #ABORTED}: the operator did not confirm (e.g. {@code replication failover} without {@code --yes}):
 *       nothing was sent.</li>
 * </ul>
 */
public final class ExitCode {
    public static final int OK = 0;
    public static final int SERVER_ERROR = 1;
    public static final int USAGE = 2;
    public static final int UNAVAILABLE = 3;
    public static final int MIGRATION_FAILED = 4;
    public static final int INTERNAL = 5;
    public static final int NOT_HEALTHY = 6;
    public static final int ABORTED = 7;

    private ExitCode() {
    }
}
