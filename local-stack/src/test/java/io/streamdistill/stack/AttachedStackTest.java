package io.streamdistill.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A stack attached to a broker and registry run elsewhere (the containers' case), without starting any. */
class AttachedStackTest {
  @Test
  void shouldGiveTheAttachedEndpointsAndCloseWhatItWasGiven() {
    AtomicBoolean closed = new AtomicBoolean();
    LocalStack stack = LocalStack.attach("localhost:32768", "http://localhost:32769", () -> closed.set(true));
    assertFalse(stack.isLocal());
    assertEquals("localhost:32768", stack.bootstrapServers());
    assertEquals("http://localhost:32769", stack.schemaRegistryUrl());
    assertEquals("localhost:32768", stack.clientConfig().get("bootstrap.servers"));
    assertEquals("http://localhost:32769", stack.clientConfig().get("schema.registry.url"));
    IllegalStateException refused = assertThrows(IllegalStateException.class, stack::restartBroker);
    assertTrue(refused.getMessage().contains("attached to localhost:32768"), refused.getMessage());
    assertThrows(IllegalStateException.class, stack::broker);
    stack.close();
    assertTrue(closed.get(), "the containers are stopped with the stack");
  }
}
