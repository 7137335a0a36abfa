package io.streamdistill.edge.versions;

/** A pin, unpin or rollback that cannot be done; the message says why. */
public class AdminCommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a command was refused. */
  public enum Kind {
    /** The version asked for is not among those held in memory. */
    NOT_HELD,
    /** The node's state does not allow it (nothing served yet, no older version, already served). */
    CONFLICT
  }

  private final Kind kind;

  public AdminCommandException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
