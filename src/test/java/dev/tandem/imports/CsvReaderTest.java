package dev.tandem.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
  private static List<CsvReader.Record> read(String text) {
    return read(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  private static List<CsvReader.Record> read(byte[] bytes, Charset charset) {
    var records = new ArrayList<CsvReader.Record>();
    try (var csv = new CsvReader(new ByteArrayInputStream(bytes), charset)) {
      CsvReader.Record r;
      while ((r = csv.next()) != null) {
        records.add(r);
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return records;
  }

  @Test
  void quoted_fields_hold_commas_quotes_and_line_breaks_and_lines_are_counted() {
    var records =
        read("\uFEFFa,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n\r\nlast,,\n");
    assertThat(records).hasSize(3);
    assertThat(records.get(0).fields()).containsExactly("a", "b", "c");
    assertThat(records.get(1).fields()).containsExactly("x, y", "say \"hi\"", "two\r\nlines");
    assertThat(records.get(1).line()).isEqualTo(2);
    assertThat(records.get(2).line()).as("after a two-line record and a blank line").isEqualTo(5);
    assertThat(records.get(2).fields()).containsExactly("last", "", "");
  }

  @Test
  void a_file_without_a_final_line_break_and_a_lone_cr_still_end_records() {
    assertThat(read("a,b\rc,d"))
        .extracting(CsvReader.Record::fields)
        .containsExactly(List.of("a", "b"), List.of("c", "d"));
  }

  @Test
  void malformed_input_names_the_line() {
    assertThatThrownBy(() -> read("a\n\"open\nnever closed\n"))
        .isInstanceOf(CsvReader.MalformedCsv.class)
        .hasMessageContaining("line 2")
        .hasMessageContaining("never closed");
    assertThatThrownBy(() -> read("a,b\n\"x\"y,z\n"))
        .hasMessageContaining("line 2")
        .hasMessageContaining("after a closing quote");
    byte[] latin1 = "a\nok\nRen\u00e9e\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> read(latin1, StandardCharsets.UTF_8))
        .hasMessageContaining("line 3")
        .hasMessageContaining("not UTF-8");
    assertThat(read(latin1, Charset.forName("windows-1252")).get(2).fields())
        .containsExactly("Ren\u00e9e");
  }

  @Test
  void a_million_rows_stream_through_without_the_file_in_memory() {
    // 1,000,000 rows (~40 MB) generated on the fly: the reader holds one record at a time
    InputStream rows =
        new InputStream() {
          long row = -1;
          byte[] current = "phone,name\n".getBytes(StandardCharsets.US_ASCII);
          int at;

          @Override
          public int read() {
            if (at == current.length) {
              if (row + 1 >= 1_000_000) {
                return -1; // and again on every later call
              }
              row++;
              current =
                  ("+1415" + (2000000 + row) + ",Person " + row + "\n")
                      .getBytes(StandardCharsets.US_ASCII);
              at = 0;
            }
            return current[at++];
          }
        };
    long count = 0;
    CsvReader.Record last = null;
    try (var csv = new CsvReader(rows, StandardCharsets.UTF_8)) {
      CsvReader.Record r;
      while ((r = csv.next()) != null) {
        count++;
        last = r;
      }
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThat(count).isEqualTo(1_000_001);
    assertThat(last.line()).isEqualTo(1_000_001);
    assertThat(last.fields()).containsExactly("+14152999999", "Person 999999");
  }
}
