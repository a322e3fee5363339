/** Database setup: the embedded or external PostgreSQL, HikariCP, Flyway migrations, named SQL. */
package dev.tandem.store;
