package dev.temperstore.service.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveryLedgerTest {

  @Test
  void an_acknowledged_event_not_delivered_is_missing_until_it_is() {
    DeliveryLedger ledger = new DeliveryLedger(2);
    ledger.acknowledged(0, 1, 10);
    ledger.acknowledged(1, 1, 1);
    for (long sequence = 1; sequence <= 9; sequence++) {
      assertTrue(ledger.delivered(0, sequence));
    }
    assertEquals(2, ledger.missing(), "stream 0's tenth event and stream 1's first");
    assertTrue(ledger.delivered(0, 10));
    assertTrue(ledger.delivered(1, 1));
    assertEquals(0, ledger.missing());
  }

  @Test
  void a_second_delivery_of_an_event_is_a_duplicate_and_only_of_its_own_stream() {
    DeliveryLedger ledger = new DeliveryLedger(2);
    assertTrue(ledger.delivered(0, 5));
    assertFalse(ledger.delivered(0, 5));
    assertTrue(ledger.delivered(1, 5));
    assertTrue(ledger.wasDelivered(0, 5));
    assertFalse(ledger.wasDelivered(0, 4));
  }

  @Test
  void a_delivery_of_an_event_never_acknowledged_is_not_missing_anything() {
    DeliveryLedger ledger = new DeliveryLedger(1);
    assertTrue(ledger.delivered(0, 3)); // an append that committed but whose reply was lost
    assertEquals(0, ledger.missing());
  }

  @Test
  void a_sequence_outside_the_ledger_is_refused() {
    DeliveryLedger ledger = new DeliveryLedger(1);
    assertThrows(IllegalArgumentException.class, () -> ledger.delivered(0, 0));
    assertThrows(IllegalArgumentException.class, () -> ledger.acknowledged(0, 1, 1L << 31));
  }
}
