/** API: deleting what the store holds: truncating, deleting and tombstoning streams, and retention policies. */
package dev.temperstore.lifecycle;
