/**
 * The global feed: every event of a tenant (or of every tenant) in one order, read in pages from a position
 * (docs/feed.md).
 */
package dev.temperstore.feed;
