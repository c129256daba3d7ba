/**
 * The broker's durable stores through JPA: the implementation of the engine's store SPI
 * ({@code io.mqttra.broker.store}) on an embedded H2 file database by default, or PostgreSQL.
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link io.mqttra.persistence.JpaStores} opens the database, creates or migrates the schema
 *       ({@link io.mqttra.persistence.SchemaVersion}) and hands the engine its {@code Stores}. No JPA type leaves
 *       this package: the engine sees only the SPI.</li>
 *   <li>Every write goes to one {@link io.mqttra.persistence.GroupCommitWriter}: writes of all clients that arrive
 *       while a transaction commits are folded into one {@link io.mqttra.persistence.BatchPlan} and committed
 *       together; each write's future completes after that commit, which is when the engine may send PUBACK or
 *       PUBREC. One writer keeps the SPI's call order across clients and makes an enqueue to many sessions atomic.</li>
 *   <li>A message queued for many sessions is one {@code MQTT_MESSAGE} row plus one {@code MQTT_QUEUE_ENTRY} row per
 *       session; the message row goes with its last queue entry.</li>
 *   <li>Loads (broker start, session resume) read on the caller's thread after the writes queued before them
 *       have committed.</li>
 *   <li>{@link io.mqttra.persistence.Cleanup} runs on the writer between batches and removes expired sessions,
 *       expired messages and anything unreferenced, so that under steady load the database stops growing.</li>
 * </ul>
 *
 * <h2>Durability</h2>
 * H2 needs {@code WRITE_DELAY=0} for a commit to survive a process kill; {@link io.mqttra.persistence.StoreSettings}
 * adds it to an H2 URL that lacks it. PostgreSQL commits are durable (fsync) by default.
 */
package io.mqttra.persistence;
