/** The REST API under /v1 (Javalin): API-key auth, problem+json errors, the OpenAPI document. */
package dev.tandem.api;
