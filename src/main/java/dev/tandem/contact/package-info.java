/**
 * Contacts: one record per person, with E.164 phone numbers and normalized email addresses. Owns
 * {@code contact}, {@code contact_address} and {@code contact_merge}; merge and erasure reach the
 * other features' tables through the {@link dev.tandem.contact.ContactData} hooks they register.
 */
package dev.tandem.contact;
