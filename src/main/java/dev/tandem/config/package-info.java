/**
 * One typed configuration, read from defaults, a YAML file and TANDEM_* env, validated at start.
 */
package dev.tandem.config;
