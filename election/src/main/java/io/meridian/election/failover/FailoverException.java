package io.meridian.election.failover;

/** The root of failover errors; names the region concerned. */
public class FailoverException extends RuntimeException {
    private final String region;

    public FailoverException(String region, String message) {
        super(message);
        this.region = region;
    }

    public FailoverException(String region, String message, Throwable cause) {
        super(message, cause);
        this.region = region;
    }

    public String region() {
        return region;
    }
}
