/**
 * Templates: one message written once, rendered right for each channel. Versioned templates with
 * per-channel variants and locales ({@link Templates}), brand snippets shared by both channels, a
 * logic-less renderer that refuses missing variables ({@link TemplateRenderer}), an SMS derived
 * from the email when a template has none ({@link DerivedSms}), tracked short links ({@link
 * ShortLinks}) and the lint that runs on every save ({@link TemplateLint}).
 */
package dev.tandem.template;
