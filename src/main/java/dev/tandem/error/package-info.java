/** The small exception family that features throw for a caller's mistakes. */
package dev.tandem.error;
