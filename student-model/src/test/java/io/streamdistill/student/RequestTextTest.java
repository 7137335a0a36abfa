package io.streamdistill.student;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTextTest {
  @Test
  void requestLineThenTheChosenHeadersItHasInTheirOrder() {
    Map<String, String> headers = Map.of("user-agent", "curl/8.5", "referer", " https://x.test/ ");
    String text = RequestText.of("get", "/search?q=shoes", List.of("Referer", "X-Missing", "User-Agent"),
        name -> headers.get(name.toLowerCase(Locale.ROOT)));
    assertEquals("GET /search?q=shoes\nreferer: https://x.test/\nuser-agent: curl/8.5", text);
  }

  @Test
  void longHeaderValuesAreCutAndAMissingMethodIsGet() {
    String text = RequestText.of(null, "/", List.of("cookie"), name -> "c".repeat(10_000));
    assertEquals("GET /\ncookie: " + "c".repeat(RequestText.MAX_HEADER_CHARS), text);
  }
}
