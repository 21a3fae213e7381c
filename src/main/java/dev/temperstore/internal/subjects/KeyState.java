package dev.temperstore.internal.subjects;

import java.time.Instant;
import javax.crypto.SecretKey;

/** What a store knows of a subject's data key. */
public sealed interface KeyState {

  /** The key, unwrapped: personal fields of the subject decrypt. */
  record Live(SecretKey key) implements KeyState {
    @Override
    public String toString() {
      return "Live[key=…]";
    }
  }

  /** The subject was forgotten at {@code since}: its key is gone for good. */
  record Forgotten(Instant since) implements KeyState {
  }

  /** This store cannot use the key: {@code why} says so (a master key version not configured, say); never cached. */
  record Unavailable(String why) implements KeyState {
  }
}
