/**
 * Internal: the client's machinery: same-loop routing and direct calls, uncopied replies, typed deliveries and
 * consumer-group leases.
 */
package dev.temperstore.internal.client;
