/**
 * The typed client of the store: {@link dev.temperstore.client.StoreClient}, over the event bus or another {@link
 * dev.temperstore.client.Transport}.
 */
package dev.temperstore.client;
