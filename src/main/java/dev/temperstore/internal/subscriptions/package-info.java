/**
 * Internal: subscriptions on PostgreSQL: their rows, claims by advisory lock, wake-ups by LISTEN/NOTIFY and within the
 * process.
 */
package dev.temperstore.internal.subscriptions;
