/**
 * Implementation, not API: personal data on PostgreSQL. The subjects' data keys (wrapped by the master keys, cached
 * unwrapped with bounds), sealing an append's personal fields and opening them on every read path, forget, export
 * and the forget's check, and rewrapping the keys when the master key rotates.
 */
package dev.temperstore.internal.subjects;
