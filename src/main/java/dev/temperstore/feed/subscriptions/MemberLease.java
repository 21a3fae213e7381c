package dev.temperstore.feed.subscriptions;

import java.time.Duration;
import java.time.Instant;

/**
 * What {@code subscriptions.join} answers.
 *
 * @param joined    true when the member was not live before (new, or its lease had ended), false for a renewal
 * @param expiresAt when the lease ends unless renewed again, by the database's clock
 * @param lease     the lease length ({@code temper.subscriptions.member-lease}): renew well within it
 */
public record MemberLease(boolean joined, Instant expiresAt, Duration lease) {
}
