package dev.temperstore.subjects;

import java.time.Instant;

/**
 * A subject forgotten: its data key is gone, and every personal field of it reads as its replacement.
 *
 * @param forgottenAt when it was forgotten: now, or at the first forget when {@code already}
 * @param already     true when an earlier forget had done it and this one changed nothing
 */
public record ForgetReceipt(String tenant, String subject, Instant forgottenAt, boolean already) {
}
