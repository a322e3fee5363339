package dev.tandem.ops.doctor;

import java.util.Locale;

/** How bad a finding is; {@code ERROR} makes {@code tandem doctor} exit non-zero. */
public enum Severity {
  ERROR,
  WARNING,
  /** Nothing wrong, but nothing checked either (a check that was skipped, and why). */
  INFO,
  OK;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
