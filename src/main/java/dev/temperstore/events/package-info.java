/** The event store: streams appended with optimistic concurrency, read in pages; its values and limits. */
package dev.temperstore.events;
