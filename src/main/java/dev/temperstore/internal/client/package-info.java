/**
 * Internal: the client's machinery: same-loop routing, uncopied replies, typed deliveries and consumer-group leases.
 */
package dev.temperstore.internal.client;
