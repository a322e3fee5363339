package dev.tandem.topic;

/** How a message's topic is treated by consent and routing (ARCHITECTURE, consent rules). */
public enum TopicClass {
  /** Security and service alerts: ignores quiet hours and caps, never an SMS STOP. */
  CRITICAL,
  /** Receipts, account updates: allowed unless revoked. */
  TRANSACTIONAL,
  /** Needs an explicit grant per channel. */
  MARKETING
}
