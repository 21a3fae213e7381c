/** Internal: the snapshot store on PostgreSQL. */
package dev.temperstore.internal.snapshots;
