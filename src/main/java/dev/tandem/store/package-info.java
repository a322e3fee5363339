/**
 * Database setup: the embedded or external PostgreSQL, HikariCP, Flyway migrations, named SQL, and
 * backups of the embedded one.
 */
package dev.tandem.store;
