package dev.finnhubstream.datalens;

/**
 * A DataLens call or decision that stops the tool: one line naming what failed, why, and the fix. Never holds the IAM
 * token or the connection password (bodies are not copied in; error details are redacted).
 */
public final class DataLensException extends RuntimeException {

  private final int status;

  DataLensException(String problem, String fix) {
    this(problem, fix, 0);
  }

  private DataLensException(String problem, String fix, int status) {
    super(problem + ". Fix: " + fix, null, false, false);
    this.status = status;
  }

  /** The HTTP status that caused it, or 0. */
  public int status() {
    return status;
  }

  /** A conflict on create: the name is taken (409, or 400 with a unique-violation code). */
  boolean conflict() {
    return status == 409 || (status == 400 && getMessage().contains("UNIQUE_VIOLATION"));
  }

  static DataLensException forStatus(String operation, int status, String detail) {
    String problem = operation + ": HTTP " + status + detail;
    return switch (status) {
      case 401 -> new DataLensException(problem + " (the IAM token was refused: missing, expired or not an IAM token)",
        "export YC_TOKEN=$(yc iam create-token) (IAM tokens last 12 hours), or unset it on a VM whose service account may use DataLens", status);
      case 403 -> new DataLensException(problem + " (permission denied)",
        "grant the caller a DataLens role in the organization (e.g. datalens.creator, and admin rights on the workbook), and check datalens.organization_id",
        status);
      case 404 -> new DataLensException(problem + " (not found: deleted meanwhile, or another organization)",
        "check datalens.organization_id and datalens.endpoint, then run plan again", status);
      case 409 -> new DataLensException(problem + " (conflict: the name is taken, or the entry changed meanwhile)",
        "run plan again; rename or remove an entry of the same name the tool does not manage", status);
      default -> new DataLensException(problem, status == 400
        ? "the body was refused: check the definition files (src/tools/resources/datalens) and the API version (" + Bodies.API_VERSION + ")"
        : "check datalens.endpoint", status);
    };
  }
}
