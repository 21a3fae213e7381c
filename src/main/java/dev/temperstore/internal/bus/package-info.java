/**
 * Internal: the store's event-bus endpoints, one handler class per store, and the request deadline and input gate
 * around them.
 */
package dev.temperstore.internal.bus;
