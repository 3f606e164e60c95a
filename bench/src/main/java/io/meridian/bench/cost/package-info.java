/**
 * What one acknowledged write costs, measured over a load's window: Kafka records and payload bytes produced per
 * topic (transaction markers apart), CPU time of the deployment's processes and GC pause time of its JVMs.
 * {@link io.meridian.bench.cost.WriteCostProbe} takes the measurements; {@link io.meridian.bench.cost.WriteCost} is
 * the result. Depends on nothing else in the bench, so the load drivers and reports can use it without a cycle.
 */
package io.meridian.bench.cost;
