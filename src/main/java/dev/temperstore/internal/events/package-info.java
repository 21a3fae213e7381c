/** Internal: the event store on PostgreSQL: group commit ({@code AppendBatcher}) and the append functions' calls. */
package dev.temperstore.internal.events;
