package io.streamdistill.stack.junit;

import io.streamdistill.stack.LocalStack;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives integration tests a running {@link LocalStack}: one per test JVM, started before the first
 * test class that asks for it and closed when the JVM's tests are done. Tests isolate themselves
 * with their own topics and group ids, not with their own broker.
 *
 * <p>Where a Docker engine runs and Testcontainers is on the test class path, the stack is Apache
 * Kafka and Confluent Schema Registry in containers ({@link ContainerStack}); elsewhere, the local
 * stack's child processes. The same test bodies run on both. {@code -Ddistill.stack=local} (or
 * {@code DISTILL_STACK=local}) keeps the local stack even where Docker runs; {@code
 * -Ddistill.stack=docker} fails when Docker is not there instead of falling back.
 *
 * <pre>{@code
 * @ExtendWith(LocalStackExtension.class)
 * class MyIT {
 *   @Test
 *   void shouldDoThings(LocalStack stack) { ... }
 * }
 * }</pre>
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {
  private static final Logger LOGGER = LoggerFactory.getLogger(LocalStackExtension.class);
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LocalStackExtension.class);

  /** Closes the stack with the root context, i.e. after the last test class of the JVM. */
  private record Holder(LocalStack stack) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      stack.close();
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }

  private static LocalStack stack(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("stack", key -> new Holder(startStack()), Holder.class)
        .stack();
  }

  private static LocalStack startStack() {
    String wanted = System.getProperty("distill.stack", System.getenv().getOrDefault("DISTILL_STACK", "auto"));
    boolean containers = !wanted.equals("local") && testcontainersPresent() && ContainerStack.dockerAvailable();
    if (wanted.equals("docker") && !containers) {
      throw new IllegalStateException("-Ddistill.stack=docker, but " + (testcontainersPresent()
          ? "Testcontainers finds no Docker engine" : "Testcontainers is not on this module's test class path"));
    }
    LOGGER.atInfo().addKeyValue("stack", containers ? "containers (" + ContainerStack.KAFKA_IMAGE + ", "
        + ContainerStack.REGISTRY_IMAGE + ")" : "local child processes").log("integration test stack");
    return containers ? ContainerStack.start() : LocalStack.builder().start();
  }

  private static boolean testcontainersPresent() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory", false, LocalStackExtension.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
