/** Internal: how PostgreSQL's errors become the store's codes, and listening for its notifications. */
package dev.temperstore.internal.postgres;
