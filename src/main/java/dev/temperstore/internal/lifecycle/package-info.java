/** Implementation: stream lifecycle and retention on PostgreSQL, and the sweeper that removes hidden rows. */
package dev.temperstore.internal.lifecycle;
