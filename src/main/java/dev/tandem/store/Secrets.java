package dev.tandem.store;

import java.security.SecureRandom;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Random secrets created once and kept in the database, so that every node (and every restart) uses
 * the same one: the first node to ask creates it, the unique name decides races.
 */
public final class Secrets {
  private final Jdbi jdbi;
  private final String create;
  private final String get;
  private final String delete;

  public Secrets(Jdbi jdbi) {
    this.jdbi = jdbi;
    var sql = NamedSql.forClass(Secrets.class);
    this.create = sql.get("create");
    this.get = sql.get("get");
    this.delete = sql.get("delete");
  }

  /** The 32-byte secret called {@code name}, created on first use. */
  public byte[] get(String name) {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return putIfAbsent(name, fresh);
  }

  /** The value called {@code name}: {@code value} if there was none, else the one stored first. */
  public byte[] putIfAbsent(String name, byte[] value) {
    return jdbi.inTransaction(handle -> {
      handle.createUpdate(create).bind("name", name).bind("value", value).execute();
      return handle.createQuery(get).bind("name", name).mapTo(byte[].class).one();
    });
  }

  public Optional<byte[]> find(String name) {
    return jdbi.withHandle(
        handle -> handle.createQuery(get).bind("name", name).mapTo(byte[].class).findOne());
  }

  public void delete(String name) {
    jdbi.useHandle(handle -> handle.createUpdate(delete).bind("name", name).execute());
  }
}
