/**
 * temper-store, the library: deploy {@link dev.temperstore.StoreVerticle} with {@link dev.temperstore.StoreSettings}
 * (or settings loaded by {@link dev.temperstore.config.ConfigLoader}); it brings the schema up to date, then serves
 * the event, snapshot and secret stores, the feed and subscriptions on the event bus, where
 * {@link dev.temperstore.client.StoreClient} calls them. The packages an application uses are this one,
 * {@code client}, {@code protocol}, {@code config}, {@code events}, {@code snapshots}, {@code secrets}, {@code feed}
 * (with {@code feed.subscriptions}), {@code errors}, {@code tenancy}, {@code migration} and {@code postgres}. Nothing
 * under {@code internal} is API, and {@code service} is the standalone process, never in the library jar.
 */
package dev.temperstore;
