/**
 * The broker's operations interface ({@link io.mqttra.api.admin.MqttBrokerAdmin}) and the plain records it returns.
 * Only JDK types, so that the console serialises them with JSON-B and any client can read them.
 */
package io.mqttra.api.admin;
