package dev.tandem.ops.doctor;

/** A host and port the doctor connects to. */
public record Endpoint(String host, int port) {
  @Override
  public String toString() {
    return host + ":" + port;
  }
}
