/** The event-bus protocol: the store's addresses and the limits every request is checked against (docs/protocol.md). */
package dev.temperstore.protocol;
