package dev.tandem.contact;

/** A contact as the caller wrote it; any field may be null. Checked by {@link Contacts#create}. */
public record NewContact(
    String phone, String email, String name, String externalId, String timeZone, String locale) {
  public NewContact(String phone, String email, String name, String externalId, String timeZone) {
    this(phone, email, name, externalId, timeZone, null);
  }
}
