/** Internal: the feed on PostgreSQL: pages in (transaction, id) order below the oldest running transaction. */
package dev.temperstore.internal.feed;
