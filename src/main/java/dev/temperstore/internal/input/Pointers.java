package dev.temperstore.internal.input;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

/**
 * Replaces the value a JSON pointer names. Vert.x's {@code JsonPointer.writeJson} inserts into an array (the "add"
 * of JSON Patch), which would shift the array's other elements; a personal field is replaced where it is.
 */
public final class Pointers {

  private Pointers() {
  }

  /**
   * Sets the value at {@code pointer} (a marked field, checked to exist) in {@code root} to {@code value}.
   *
   * @throws IllegalArgumentException when the pointer's parent is neither an object nor an array in range
   */
  public static void set(Object root, String pointer, Object value) {
    int slash = pointer.lastIndexOf('/');
    Object parent = slash == 0 ? root : JsonPointer.from(pointer.substring(0, slash)).queryJson(root);
    String token = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    if (parent instanceof JsonObject object) {
      object.put(token, value);
    } else if (parent instanceof JsonArray array && isIndex(token) && Integer.parseInt(token) < array.size()) {
      array.set(Integer.parseInt(token), value);
    } else {
      throw new IllegalArgumentException("no field at the pointer " + pointer);
    }
  }

  private static boolean isIndex(String token) {
    return !token.isEmpty() && token.length() < 10 && token.chars().allMatch(Character::isDigit)
        && (token.length() == 1 || token.charAt(0) != '0');
  }
}
