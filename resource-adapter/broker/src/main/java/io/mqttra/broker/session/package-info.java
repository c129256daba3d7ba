/**
 * Sessions (MQTT section 4.1): what the broker keeps per client identifier, with or without a connection.
 *
 * <p>Threading: each {@link io.mqttra.broker.session.Session} runs its work on a
 * {@link io.mqttra.broker.session.SerialExecutor} bound to the event loop of its current connection, so its state
 * needs no lock and a slow session never blocks another. Other threads (publishers on other event loops, local
 * sessions, store completions) only submit tasks to it. The {@link io.mqttra.broker.session.SessionRegistry}
 * decides atomically per client id whether a reconnecting client resumes or replaces a session.
 *
 * <p>A {@link io.mqttra.broker.session.Connection} is what a session sends through: a network connection
 * (package {@code protocol}) or a local subscriber inside the server ({@link io.mqttra.broker.session.LocalSessions}).
 */
package io.mqttra.broker.session;
