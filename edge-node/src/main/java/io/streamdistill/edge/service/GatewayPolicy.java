package io.streamdistill.edge.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code /authorize} answers a gateway for each class the student gives a request: allow it, deny it, or
 * allow it with a route (a header the gateway can pick an upstream by); and which request headers the student
 * reads besides the request line ({@link io.streamdistill.student.RequestText}).
 *
 * @param actions class name to action
 * @param otherwise the action of a class not in {@code actions}
 * @param headers the request headers the student reads, in order (lower case)
 */
public record GatewayPolicy(Map<String, Action> actions, Action otherwise, List<String> headers) {

  /** An action: ALLOW, DENY, or ROUTE with the route's name. */
  public record Action(Kind kind, String route) {
    public enum Kind { ALLOW, DENY, ROUTE }

    public static final Action ALLOW = new Action(Kind.ALLOW, null);
    public static final Action DENY = new Action(Kind.DENY, null);

    /** {@code allow}, {@code deny} or {@code route:NAME} (NAME: letters, digits, '-', '_', '.'). */
    public static Action parse(String flag, String text) {
      String value = text.trim();
      if (value.equalsIgnoreCase("allow")) {
        return ALLOW;
      }
      if (value.equalsIgnoreCase("deny")) {
        return DENY;
      }
      if (value.regionMatches(true, 0, "route:", 0, 6)) {
        String route = value.substring(6);
        if (!route.matches("[A-Za-z0-9._-]+")) {
          throw new IllegalArgumentException(flag + ": a route name is letters, digits, '.', '-' or '_', got '"
              + route + "'");
        }
        return new Action(Kind.ROUTE, route);
      }
      throw new IllegalArgumentException(flag + ": an action is allow, deny or route:NAME, got '" + text + "'");
    }

    /** As {@link #parse} reads it. */
    @Override
    public String toString() {
      return kind == Kind.ROUTE ? "route:" + route : kind.name().toLowerCase(Locale.ROOT);
    }
  }

  public GatewayPolicy {
    actions = Map.copyOf(actions);
    headers = headers.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
    for (String header : headers) {
      if (!header.matches("[a-z0-9!#$%&'*+.^_`|~-]+")) {
        throw new IllegalArgumentException("--gateway-headers: '" + header + "' is not a header name");
      }
    }
  }

  /** Every class allowed, no header read: {@code /authorize} then only classifies (and feeds the loop). */
  public static GatewayPolicy allowAll() {
    return new GatewayPolicy(Map.of(), Action.ALLOW, List.of());
  }

  /**
   * From the command's flags.
   *
   * @param classActions {@code CLASS=ACTION} each
   * @param otherwise the action of the other classes
   * @param headers header names
   */
  public static GatewayPolicy parse(List<String> classActions, String otherwise, List<String> headers) {
    Map<String, Action> actions = new LinkedHashMap<>();
    for (String entry : classActions) {
      int equals = entry.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException("--gateway-action: expected CLASS=ACTION (e.g. attack=deny), got '"
            + entry + "'");
      }
      String name = entry.substring(0, equals).trim();
      if (actions.put(name, Action.parse("--gateway-action " + name, entry.substring(equals + 1))) != null) {
        throw new IllegalArgumentException("--gateway-action: class '" + name + "' is given twice");
      }
    }
    return new GatewayPolicy(actions, Action.parse("--gateway-otherwise", otherwise), new ArrayList<>(headers));
  }

  /** The action for a class. */
  public Action actionFor(String label) {
    return actions.getOrDefault(label, otherwise);
  }
}
