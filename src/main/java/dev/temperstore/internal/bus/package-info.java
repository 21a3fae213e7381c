/**
 * Internal: the store's event-bus endpoints, one handler class per store, and the request deadline and input gate
 * around them; the typed gate of the direct calls that callers on an instance's own event loop make.
 */
package dev.temperstore.internal.bus;
