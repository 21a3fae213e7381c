package dev.temperstore.secrets;

/**
 * What a rotation pass did.
 *
 * @param rotated   secrets re-encrypted under the primary key
 * @param failed    secrets that did not decrypt (left as they are; each logged by tenant and name)
 * @param remaining secrets still under another key when the pass ended
 */
public record RotationProgress(long rotated, long failed, long remaining) {

  public RotationProgress plus(RotationProgress other) {
    return new RotationProgress(rotated + other.rotated, failed + other.failed, other.remaining);
  }
}
