package dev.temperstore.internal.wire;

import dev.temperstore.client.StoreClient;
import dev.temperstore.internal.client.SharedReplyCodec;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A reply's JSON object as a read-only view of the typed value the store made it from. Filling a map field by field
 * for every event of a page, and a typed client parsing it all back (ids, instants), took two fifths of the JVM's
 * time on feed reads (docs/decisions/0011-typed-pages-and-lazy-payloads.md). With a view, a {@link StoreClient} in the
 * same JVM, which gets replies uncopied ({@link SharedReplyCodec}), takes the value back as it was ({@link
 * #sourceOf}); everyone else reads, copies or encodes the fields, each made when it is read, so the JSON they see is
 * unchanged.
 *
 * <p>A view cannot be changed: the store builds each reply afresh, and only a client that asked for uncopied
 * replies ever holds the view itself; any other caller gets it {@link #materialized} first.
 */
public final class JsonView<T> extends AbstractMap<String, Object> {

  /** One field of the object: its name, and how its JSON value is made from the source. */
  record Field<T>(String name, Function<? super T, Object> value) {
  }

  private final T source;
  private final List<Field<T>> fields;

  private JsonView(T source, List<Field<T>> fields) {
    this.source = source;
    this.fields = fields;
  }

  public static <T> JsonObject of(T source, List<Field<T>> fields) {
    return new JsonObject(new JsonView<>(source, fields));
  }

  /** The value {@code json} is a view of, when it is one of a {@code type}; null for any other JSON. */
  public static <T> T sourceOf(JsonObject json, Class<T> type) {
    return json.getMap() instanceof JsonView<?> view && type.isInstance(view.source) ? type.cast(view.source) : null;
  }

  /**
   * {@code json} made of ordinary, changeable JSON objects in the same field order, for a caller that gets a copy:
   * Vert.x copies an object that is not a {@code LinkedHashMap} into a {@code HashMap}, which would scramble the
   * order of the fields. Views, and arrays that are fields of views, are rebuilt; every other value is kept.
   */
  public static JsonObject materialized(JsonObject json) {
    if (!(json.getMap() instanceof JsonView<?> view)) {
      return json;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    for (Entry<String, Object> field : view.entrySet()) {
      Object value = field.getValue();
      if (value instanceof JsonArray array) {
        List<Object> items = new ArrayList<>(array.size());
        for (Object item : array.getList()) {
          items.add(item instanceof JsonObject object ? materialized(object) : item);
        }
        value = new JsonArray(items);
      } else if (value instanceof JsonObject object) {
        value = materialized(object);
      }
      fields.put(field.getKey(), value);
    }
    return new JsonObject(fields);
  }

  @Override
  public Object get(Object key) {
    for (Field<T> field : fields) {
      if (field.name().equals(key)) {
        return field.value().apply(source);
      }
    }
    return null;
  }

  @Override
  public boolean containsKey(Object key) {
    for (Field<T> field : fields) {
      if (field.name().equals(key)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int size() {
    return fields.size();
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        Iterator<Field<T>> each = fields.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return each.hasNext();
          }

          @Override
          public Entry<String, Object> next() {
            Field<T> field = each.next();
            return new SimpleImmutableEntry<>(field.name(), field.value().apply(source));
          }
        };
      }

      @Override
      public int size() {
        return fields.size();
      }
    };
  }
}
