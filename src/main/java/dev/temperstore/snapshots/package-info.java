/** The snapshot store: one snapshot per stream, saved and loaded. */
package dev.temperstore.snapshots;
