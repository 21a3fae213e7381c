/** Internal: the JSON wire format that the handlers and the client share, and the checks of every field. */
package dev.temperstore.internal.wire;
