/**
 * Accepting messages and delivering them: the outbox (claims with SKIP LOCKED, batched results),
 * the dispatcher, retries with backoff, and matching delivery receipts.
 */
package dev.tandem.delivery;
