package dev.tandem.ops.doctor;

import java.util.List;

/** One family of checks; it answers findings and never throws for what it went to find out. */
interface Check {
  /** Short and stable: {@code smtp}, {@code dns}, … (the {@code check} of its findings). */
  String name();

  List<Finding> run();
}
