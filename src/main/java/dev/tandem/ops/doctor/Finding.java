package dev.tandem.ops.doctor;

import java.util.Objects;

/**
 * One thing the doctor found.
 *
 * @param code stable, for scripts and docs/doctor.md: {@code smtp-auth-failed}
 * @param check the family that found it: {@code smtp}, {@code dns}, …
 * @param found what was found, in a sentence
 * @param why why it matters; empty for {@code ok}
 * @param fix what to change, naming config keys; empty for {@code ok}
 */
public record Finding(
    Severity severity, String code, String check, String found, String why, String fix) {
  public Finding {
    Objects.requireNonNull(severity);
    if (code == null || !code.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException("finding code must be kebab-case: " + code);
    }
    Objects.requireNonNull(check);
    Objects.requireNonNull(found);
    why = why == null ? "" : why;
    fix = fix == null ? "" : fix;
  }

  static Finding ok(String code, String check, String found) {
    return new Finding(Severity.OK, code, check, found, "", "");
  }

  static Finding info(String code, String check, String found, String why) {
    return new Finding(Severity.INFO, code, check, found, why, "");
  }

  static Finding warning(String code, String check, String found, String why, String fix) {
    return new Finding(Severity.WARNING, code, check, found, why, fix);
  }

  static Finding error(String code, String check, String found, String why, String fix) {
    return new Finding(Severity.ERROR, code, check, found, why, fix);
  }
}
