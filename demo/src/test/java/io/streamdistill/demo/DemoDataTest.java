package io.streamdistill.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamdistill.datasets.SourceOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the demo tells the user about their file before anything runs. */
class DemoDataTest {
  @Test
  void shouldSayOnTheConsoleWhichRowsOfTheUsersFileWereSkippedAndWhy(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tickets.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      lines.append(i == 7 ? "{not json" : "{\"id\": \"t" + i + "\", \"text\": \"printer jam " + i + "\", \"team\": \""
          + (i % 2 == 0 ? "hardware" : "billing") + "\"}").append('\n');
    }
    Files.writeString(file, lines);
    SourceOptions options = CommandLine.populateCommand(new SourceOptions(), "--text-column", "text",
        "--label-column", "team", "--id-column", "id");
    List<String> said = new ArrayList<>();
    DemoData data = DemoData.open(Scenario.ofFile(file.toString(), null, null), options, said::add);
    assertEquals(39, data.all().size());
    assertTrue(said.stream().anyMatch(l -> l.contains("1 row was skipped") && l.contains("line 8")
        && l.contains("malformed JSON")), said.toString());
  }
}
