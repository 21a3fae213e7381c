/** Internal: the input gate's rules for strings and stored JSON (docs/security.md). */
package dev.temperstore.internal.input;
