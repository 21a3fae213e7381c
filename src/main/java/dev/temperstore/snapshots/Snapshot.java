package dev.temperstore.snapshots;

/** The latest saved state of one entity, as of its event {@code sequenceNr}. */
public record Snapshot(long sequenceNr, byte[] state) {

  public Snapshot {
    state = state.clone();
  }

  @Override
  public byte[] state() {
    return state.clone();
  }
}
