package dev.tandem.imports;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV (RFC 4180) one record at a time, so a file of any size needs the memory of one record:
 * quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF both end a record; a
 * UTF-8 byte order mark is skipped. Bytes that are not valid in the charset stop the reading with
 * the line, instead of turning into replacement characters in someone's name.
 */
final class CsvReader implements AutoCloseable {
  /** A file that cannot be read as CSV; {@code line} is where the problem is (1-based). */
  static final class MalformedCsv extends RuntimeException {
    final long line;

    MalformedCsv(long line, String reason) {
      super("line " + line + ": " + reason);
      this.line = line;
    }
  }

  /** One record and the line it starts on. */
  record Record(long line, List<String> fields) {}

  static final int MAX_FIELD = 100_000;

  /** A noncharacter: never in text, so it can stand for bytes the charset cannot decode. */
  private static final char BAD_BYTES = '\uFFFF';

  private final Reader in;
  private final CountingStream counted;
  private final String charsetName;
  private long line = 1;
  private boolean first = true;
  private int pushedBack = -2;

  CsvReader(InputStream stream, Charset charset) {
    this.counted = new CountingStream(stream);
    this.charsetName = charset.name();
    this.in =
        new java.io.BufferedReader(
            new InputStreamReader(
                counted,
                // The decoder works ahead of the parser; a marker character instead of an exception
                // lets the error name the line the bad bytes are on.
                charset
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .replaceWith(String.valueOf(BAD_BYTES))),
            1 << 16);
  }

  /** Bytes read from the stream so far (for progress). */
  long bytesRead() {
    return counted.count;
  }

  /** The next record, or null at the end of the file. */
  Record next() {
    int c = read();
    if (first) {
      first = false;
      if (c == '\uFEFF') {
        c = read();
      }
    }
    while (c == '\r' || c == '\n') { // blank lines between records are skipped
      if (c == '\n') {
        line++;
      }
      c = read();
    }
    if (c == -1) {
      return null;
    }
    long start = line;
    List<String> fields = new ArrayList<>();
    var field = new StringBuilder();
    while (true) {
      if (c == '"' && field.isEmpty()) {
        long quoteLine = line;
        while (true) {
          c = read();
          if (c == -1) {
            throw new MalformedCsv(
                quoteLine, "a quoted field is never closed (a \" is missing before the end)");
          }
          if (c == '"') {
            c = read();
            if (c == '"') {
              field.append('"');
              continue;
            }
            break;
          }
          if (c == '\n') {
            line++;
          }
          append(field, c);
        }
        if (c != ',' && c != '\r' && c != '\n' && c != -1) {
          throw new MalformedCsv(
              line,
              "text after a closing quote ("
                  + (char) c
                  + "); inside a quoted field write a quote as \"\"");
        }
        continue;
      }
      if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
        c = read();
        if (c == -1 || c == '\r' || c == '\n') {
          fields.add("");
          return end(start, fields, c);
        }
        continue;
      }
      if (c == -1 || c == '\r' || c == '\n') {
        fields.add(field.toString());
        return end(start, fields, c);
      }
      append(field, c);
      c = read();
    }
  }

  private Record end(long start, List<String> fields, int c) {
    if (c == '\r') {
      int after = read();
      if (after != '\n' && after != -1) {
        pushedBack = after;
      }
    }
    if (c != -1) {
      line++;
    }
    return new Record(start, fields);
  }

  private void append(StringBuilder field, int c) {
    if (field.length() >= MAX_FIELD) {
      throw new MalformedCsv(
          line, "a field is longer than " + MAX_FIELD + " characters; is this a CSV file?");
    }
    field.append((char) c);
  }

  private int read() {
    if (pushedBack != -2) {
      int c = pushedBack;
      pushedBack = -2;
      return c;
    }
    try {
      int c = in.read();
      if (c == BAD_BYTES) {
        throw new MalformedCsv(
            line,
            "bytes that are not "
                + charsetName
                + " (save the file as UTF-8, or pass the encoding it is in, e.g. --encoding"
                + " windows-1252)");
      }
      return c;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private static final class CountingStream extends java.io.FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
