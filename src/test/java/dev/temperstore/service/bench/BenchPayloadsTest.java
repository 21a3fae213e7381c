package dev.temperstore.service.bench;

import dev.temperstore.events.NewEvent;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchPayloadsTest {

  @Test
  void bench_event_ids_are_random_version_4_uuids_each_its_own() {
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      UUID id = BenchPayloads.randomId();
      assertEquals(4, id.version(), id.toString());
      assertEquals(2, id.variant(), id.toString());
      assertEquals(id, UUID.fromString(id.toString()));
      seen.add(id);
    }
    assertEquals(10_000, seen.size(), "no id drawn twice");
  }

  @Test
  void every_bench_event_carries_an_id_of_its_own() {
    List<NewEvent> events = BenchPayloads.events(100, "bench-client-01");
    assertEquals(100, events.stream().map(event -> event.metadata().eventId()).distinct().count());
  }
}
