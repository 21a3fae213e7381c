package dev.temperstore.internal.events;

import java.util.Objects;

/**
 * A payload already encoded as the JSON text the database receives. The direct-call gate makes one of each payload
 * it has checked, at the call, in place of a copy of the caller's objects (which the caller may change once the call
 * has returned): the text is encoded once and cannot change. It travels as a {@code NewEvent}'s payload from the gate
 * to {@link EncodedAppend}, and only the store makes one.
 */
public record EncodedPayload(String json) {

  public EncodedPayload {
    Objects.requireNonNull(json, "json");
  }
}
