package dev.tandem.contact;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;

/**
 * What one feature keeps about a person, as merge and erasure reach it. Each feature implements
 * this for its own tables (only it writes them) and {@code App} registers it with {@link
 * Contacts#register}; {@link Contacts#merge} and the erasure in {@code privacy} call every
 * registered one in their transaction. A test asks PostgreSQL for every table that refers to a
 * contact and fails on one no {@link #tables()} names, so a new table cannot be forgotten.
 */
public interface ContactData {
  /** The tables this covers: every one that refers to a contact must be named by some hook. */
  List<String> tables();

  /** Moves what contact {@code from} has to {@code into}, in the caller's transaction. */
  void merge(Handle handle, UUID from, UUID into);

  /**
   * Removes the person's data (or keeps what must stay, without what identifies them), in the
   * caller's transaction.
   */
  void erase(Handle handle, Erasure erasure);

  /**
   * A person to erase: their record and every record merged into it, with every phone number and
   * email address found for them in any table (before anything was erased).
   */
  record Erasure(List<UUID> contactIds, List<String> phones, List<String> emails, Instant at) {
    public Erasure {
      contactIds = List.copyOf(contactIds);
      phones = List.copyOf(phones);
      emails = List.copyOf(emails);
    }

    public UUID[] ids() {
      return contactIds.toArray(UUID[]::new);
    }

    /** Every address, phones then emails, each once. */
    public String[] addresses() {
      return Stream.concat(phones.stream(), emails.stream()).distinct().toArray(String[]::new);
    }
  }

  /** For a feature below {@code contact} that cannot implement this interface itself. */
  static ContactData of(List<String> tables, Merge merge, Erase erase) {
    List<String> covered = List.copyOf(tables);
    return new ContactData() {
      @Override
      public List<String> tables() {
        return covered;
      }

      @Override
      public void merge(Handle handle, UUID from, UUID into) {
        merge.merge(handle, from, into);
      }

      @Override
      public void erase(Handle handle, Erasure erasure) {
        erase.erase(handle, erasure);
      }

      @Override
      public String toString() {
        return "ContactData" + covered;
      }
    };
  }

  /** {@link ContactData#merge} as a function. */
  @FunctionalInterface
  interface Merge {
    void merge(Handle handle, UUID from, UUID into);
  }

  /** {@link ContactData#erase} as a function. */
  @FunctionalInterface
  interface Erase {
    void erase(Handle handle, Erasure erasure);
  }
}
