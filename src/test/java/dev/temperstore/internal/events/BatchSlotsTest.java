package dev.temperstore.internal.events;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchSlotsTest {

  @Test
  void while_every_request_held_fits_a_slot_of_its_own_every_slot_may_be_in_flight() {
    BatchSlots slots = new BatchSlots(4);
    for (int held = 0; held <= 4; held++) {
      assertThat(slots.allowed(held)).isEqualTo(4);
    }
  }

  @Test
  void more_requests_than_slots_leave_one_statement_in_flight_to_gather_them() {
    BatchSlots slots = new BatchSlots(4);
    assertThat(slots.allowed(5)).isEqualTo(1);
    assertThat(slots.allowed(256)).isEqualTo(1);
  }

  @Test
  void the_slots_come_back_as_soon_as_the_requests_held_fit_them_whatever_was_gathered_before() {
    BatchSlots slots = new BatchSlots(4);
    assertThat(slots.allowed(32)).isEqualTo(1);
    assertThat(slots.allowed(4)).isEqualTo(4);
  }

  @Test
  void at_least_one_slot() {
    assertThatThrownBy(() -> new BatchSlots(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new BatchSlots(1).allowed(0)).isEqualTo(1);
    assertThat(new BatchSlots(1).allowed(9)).isEqualTo(1);
  }
}
