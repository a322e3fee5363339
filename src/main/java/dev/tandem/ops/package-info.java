/** Operations: health checks and metrics. */
package dev.tandem.ops;
