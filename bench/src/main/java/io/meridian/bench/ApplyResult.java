package io.meridian.bench;

/**
 * One measured pass of a Streams app over the WAL.
 *
 * @param recordsPerSec     steady state: records per second between 10% and 90% of the backlog
 * @param fullSpanPerSec    {@code records / seconds}, ramp-up of the tasks included
 * @param seconds           from the first record processed to the last target offset reached
 * @param startupSeconds    from {@code KafkaStreams.start()} to the first record (group join, first task ready)
 * @param cpuMicrosPerRecord CPU time of the app's threads per record in the steady state ({@link AppThreadsCpu})
 * @param accepted          data records the applier accepted, -1 for the raw app (it decides nothing)
 * @param rejected          data records the applier rejected, -1 for the raw app
 * @param loadAverage       the machine's 1-minute load average as the pass ended
 */
record ApplyResult(String app, double recordsPerSec, long records, double seconds, double fullSpanPerSec,
                   double startupSeconds, double cpuMicrosPerRecord, long accepted, long rejected, double loadAverage) {
}
