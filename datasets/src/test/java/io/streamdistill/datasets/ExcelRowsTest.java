package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An Excel workbook (written here by fastexcel, a writer independent of the reader) is read as a table: its first
 * sheet, its first non-empty row the names, numbers, text, booleans and dates as their JSON values would be.
 */
class ExcelRowsTest {
  @TempDir
  Path dir;

  @Test
  void shouldReadTheFirstSheetAsAStructuredRecordWithItsLabelGuessed() throws IOException {
    Path file = dir.resolve("customers.xlsx");
    String[] plans = {"basic", "premium", "family"};
    try (OutputStream out = Files.newOutputStream(file)) {
      Workbook book = new Workbook(out, "test", "1.0");
      Worksheet sheet = book.newWorksheet("churn");
      // A title, then an empty row, as sheets often start: the first row of several cells names the columns.
      sheet.value(0, 0, "Customers, December");
      String[] names = {"customer", "plan", "monthly fee", "joined", "paperless", "", "Churn"};
      for (int c = 0; c < names.length; c++) {
        sheet.value(1, c, names[c]);
      }
      for (int i = 0; i < 300; i++) {
        int r = i + 2;
        sheet.value(r, 0, "C-" + (1000 + i));
        sheet.value(r, 1, plans[i % 3]);
        if (i % 25 != 4) {
          sheet.value(r, 2, 9.99 + i % 7); // a few fees missing
        }
        sheet.value(r, 3, LocalDate.of(2020, 1, 1).plusDays(i));
        sheet.style(r, 3).format("yyyy-mm-dd").set();
        sheet.value(r, 4, i % 2 == 0);
        sheet.value(r, 5, i % 4);
        sheet.value(r, 6, i % 3 == 0 ? "Yes" : "No");
      }
      sheet.value(303, 1, ""); // an empty row at the end: no example
      Worksheet other = book.newWorksheet("notes");
      other.value(0, 0, "not read");
      book.finish();
    }
    List<String> notes = new ArrayList<>();

    ExampleSource customers = CommandLine.populateCommand(new SourceOptions()).open(file.toString(), notes::add);

    assertEquals(300, customers.size());
    assertEquals(List.of("Yes", "No"), customers.classes());
    assertTrue(notes.get(0).contains("label: column 'Churn' (by its name)"), notes.toString());
    assertEquals(FieldType.CATEGORICAL, customers.fieldTypes().get("plan"));
    assertEquals(FieldType.NUMERIC, customers.fieldTypes().get("monthly fee"));
    Map<String, Object> fields = customers.get(4).fields();
    assertNull(fields.get("monthly fee"));
    assertEquals("premium", fields.get("plan"));
    assertTrue(customers.fieldTypes().containsKey("c5"), customers.fieldTypes().toString());
    ExampleSource dated = CommandLine.populateCommand(new SourceOptions(), "--field-columns", "joined,paperless",
        "--label-column", "Churn").open(file.toString(), note -> { });
    assertEquals("2020-01-03", dated.get(2).fields().get("joined"));
    assertEquals("true", dated.get(2).fields().get("paperless"));
  }

  @Test
  void shouldSayAFileNamedXlsxThatIsNoWorkbook() throws IOException {
    Path file = Files.writeString(dir.resolve("export.xlsx"), "name,label\na,b\n");

    DatasetException e = assertThrows(DatasetException.class,
        () -> CommandLine.populateCommand(new SourceOptions()).open(file.toString(), note -> { }));

    assertTrue(e.getMessage().startsWith(file + " cannot be read as an Excel workbook (.xlsx): "), e.getMessage());
  }
}
