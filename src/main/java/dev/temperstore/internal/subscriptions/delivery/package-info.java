/**
 * Internal: the deliverers, one per claimed subscription, sharing its streams between the members of a consumer group.
 */
package dev.temperstore.internal.subscriptions.delivery;
