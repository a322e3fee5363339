/**
 * The doctor: {@code tandem doctor} and {@code GET /v1/doctor} answer "why is this not syncing?"
 * with findings (what was found, why it matters, the fix). One class per check family; {@link
 * dev.tandem.ops.doctor.Doctor#standard} lists them. It writes nothing. See docs/doctor.md.
 */
package dev.tandem.ops.doctor;
