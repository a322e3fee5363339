/**
 * Preferences: the channel a person prefers for each topic. A preference is not consent and never
 * grants anything; routing reads it under the {@code preference} channel policy.
 */
package dev.tandem.preference;
