package io.streamdistill.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The campaign, small: every case on a real local stack with the real services as child JVMs, with
 * fewer kills and a 10-second load, through the command as people run it. Each case must pass.
 */
@Tag("integration")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ReliabilityCampaignIT {
  private static final Path OUT = Path.of("target", "reliability-it");

  @Test
  void shouldPassEveryCaseOfASmallCampaign() throws Exception {
    var cli = CampaignCommand.commandLine();
    cli.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
    int exitCode = cli.execute("--kills", "3", "--teacher-kills", "2", "--kill-window", "3s",
        "--bad-records", "1000", "--good-records", "1000", "--tampered", "100",
        "--load-seconds", "10", "--load-warmup", "6s", "--swap-every", "2s", "--seed", "20261124",
        "--out", OUT.toString());

    JsonNode report = new ObjectMapper().readTree(Files.readString(OUT.resolve(CampaignReport.JSON_FILE)));
    assertTrue(Files.readString(OUT.resolve(CampaignReport.TABLE_FILE)).contains("duplicated"));
    List<String> ran = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (JsonNode c : report.get("cases")) {
      ran.add(c.get("name").asText());
      if (!c.get("passed").asBoolean()) {
        failed.add(c.get("name").asText() + ": " + c.get("failures"));
      }
    }
    assertEquals(Campaign.caseNames(), ran, "every case ran");
    assertEquals(List.of(), failed, "every case passed");
    assertEquals(0, exitCode);
    JsonNode trainer = report.get("cases").get(0);
    assertEquals(3, trainer.get("trials").asInt(), "three kills");
    assertEquals(0, trainer.get("lost").asInt());
    assertEquals(0, trainer.get("duplicated").asInt());
  }
}
