package io.meridian.election.controller;

/**
 * Work that runs on the controller only (failover is built in; the migration executor is one). All calls come on the
 * controller's single duties thread, in order, so a duty needs no locking of its own.
 */
public interface ControllerDuty {

    /** This node became the controller; {@code context} is valid until {@link #onDeactivated}. */
    void onActivated(ControllerContext context);

    /** Called every heartbeat interval while active. */
    void tick(long nowMillis);

    /** This node stopped being the controller (deposed, fenced, or shutting down): stop writing. */
    void onDeactivated();
}
