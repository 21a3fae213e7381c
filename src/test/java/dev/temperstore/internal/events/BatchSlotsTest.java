package dev.temperstore.internal.events;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchSlotsTest {

  @Test
  void lone_appends_may_all_be_in_flight_at_once() {
    BatchSlots slots = new BatchSlots(4);
    assertThat(slots.allowed()).isEqualTo(4);
    for (int i = 0; i < 100; i++) {
      slots.sent(1);
    }
    assertThat(slots.allowed()).isEqualTo(4);
  }

  @Test
  void large_batches_leave_one_in_flight_within_a_few_batches_and_small_ones_bring_the_slots_back() {
    BatchSlots slots = new BatchSlots(4);
    int sent = 0;
    while (slots.allowed() > 1) {
      slots.sent(32);
      sent++;
    }
    assertThat(sent).isBetween(1, 3);
    for (int i = 0; i < 100; i++) {
      slots.sent(32);
      slots.sent(1); // under load the first append after a commit often goes alone: the average stays high
    }
    assertThat(slots.allowed()).isEqualTo(1);

    sent = 0;
    while (slots.allowed() == 1) {
      slots.sent(1);
      sent++;
    }
    assertThat(slots.allowed()).isEqualTo(4);
    assertThat(sent).isBetween(10, 40);
  }

  @Test
  void an_occasional_batch_of_two_among_lone_appends_keeps_every_slot_but_batches_of_two_do_not() {
    BatchSlots slots = new BatchSlots(3);
    for (int i = 0; i < 200; i++) {
      slots.sent(i % 4 == 0 ? 2 : 1); // 1.25 on average
    }
    assertThat(slots.allowed()).isEqualTo(3);
    for (int i = 0; i < 200; i++) {
      slots.sent(2);
    }
    assertThat(slots.allowed()).isEqualTo(1);
  }

  @Test
  void at_least_one_slot() {
    assertThatThrownBy(() -> new BatchSlots(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new BatchSlots(1).allowed()).isEqualTo(1);
  }
}
