/** Contacts: one record per person, with E.164 phone numbers and normalized email addresses. */
package dev.tandem.contact;
