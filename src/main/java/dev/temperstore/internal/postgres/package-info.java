/** Internal: how PostgreSQL's errors become the store's codes. */
package dev.temperstore.internal.postgres;
