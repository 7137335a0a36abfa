package io.streamdistill.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MailTextTest {

  @Test
  void shouldPreferThePlainAlternativeAndDecodeQuotedPrintable() throws IOException {
    String text = MailText.of(fixture("multipart-alternative.eml"));
    assertEquals("""
        From: Renée Dupont <alice@example.org>
        To: bob@example.net, carol@example.net
        Subject: Café prices für Ärzte
        Date: Mon, 6 Jan 2003 10:00:00 +0000
        Content-Type: multipart/alternative; boundary="=_alt_1"

        The café opens at nine; this line is long enough that it needs a soft line break to stay under \
        seventy-six characters.
        Price: 3 €.""", text);
  }

  @Test
  void shouldTurnBase64HtmlIntoTextAndLeaveAttachmentsOut() throws IOException {
    String text = MailText.of(fixture("html-base64-with-attachments.eml"));
    String body = text.substring(text.indexOf("\n\n") + 2);
    assertEquals("""
        Dear friend,

        Save 50% & more — only €9 at our shop!

        Viagra
        line two
        Click here""", body);
    assertTrue(text.startsWith("From: \"Shop\" <offers@shop.example>\nTo: you@example.net\nSubject: Your offer\n"),
        text);
  }

  @Test
  void shouldNeverFailOnBadCharsets() throws IOException {
    String text = MailText.of(fixture("bad-charset.eml"));
    // Raw 8-bit header bytes that are not UTF-8 are read as windows-1252.
    assertTrue(text.startsWith("From: Müller <mueller@example.de>\n"), text);
    // An encoded word in an unknown charset stays as it was; the rest of the header is decoded.
    assertTrue(text.contains("\nSubject: =?x-unknown-charset?Q?Gr=FC=DFe?= from München\n"), text);
    // An unknown declared charset: not UTF-8, so windows-1252 (0x80 is the euro sign there).
    assertTrue(text.contains("\n\nCafé crème, 5 €.\n"), text);
    // A declared UTF-8 part with malformed bytes: those become U+FFFD, the rest survives.
    assertTrue(text.endsWith("Valid é then broken \uFFFD\uFFFD bytes."), text);
  }

  @Test
  void shouldRefuseAnEmptyMail() throws IOException {
    assertEquals("empty mail",
        assertThrows(DatasetException.class, () -> MailText.of(fixture("empty.eml"))).getMessage());
    assertEquals("empty mail",
        assertThrows(DatasetException.class, () -> MailText.of(fixture("blank.eml"))).getMessage());
  }

  @Test
  void shouldRefuseBytesThatAreNotAMail() throws IOException {
    DatasetException e = assertThrows(DatasetException.class, () -> MailText.of(fixture("binary-noise.eml")));
    assertEquals("no mail header found", e.getMessage());
  }

  @Test
  void shouldReadAMailWithoutBodyOrGatewayHeaders() {
    assertEquals("Subject: only a subject\n\n", MailText.of(bytes("Subject: only a subject\r\n")));
    // Headers a gateway does not keep still make it a mail.
    assertEquals("\nhello", MailText.of(bytes("X-Whatever: 1\n\nhello\n")));
  }

  @Test
  void shouldKeepTheFirstOfRepeatedHeadersAndUnfoldThem() {
    String text = MailText.of(bytes("""
        subject: first
        Subject: second
        TO: a@example.net,
        \tb@example.net

        body
        """));
    assertEquals("To: a@example.net, b@example.net\nSubject: first\n\nbody", text);
  }

  @Test
  void shouldShowTheBodyOfAMultipartWhoseBoundaryIsNeverFound() {
    String text = MailText.of(bytes("""
        Subject: broken
        Content-Type: multipart/alternative; boundary="=Boundary 1"

        --= Boundary 1
        Content-Type: text/plain

        the real text
        """));
    assertTrue(text.contains("the real text"), text);
  }

  @Test
  void shouldIncludeTheTextOfAForwardedMessage() {
    String text = MailText.of(bytes("""
        Subject: Fwd: news
        Content-Type: multipart/mixed; boundary="b"

        --b
        Content-Type: text/plain

        See below.
        --b
        Content-Type: message/rfc822

        Subject: news
        From: c@example.org

        The forwarded text.
        --b--
        """));
    assertTrue(text.endsWith("See below.\n\nThe forwarded text."), text);
    assertFalse(text.contains("c@example.org"), "only the outer message's headers are gateway headers");
  }

  @Test
  void shouldDecodeHtmlEntitiesAndDropScriptsAndComments() {
    assertEquals("a & b < c ’ é \uFFFD x", HtmlText.toText("a &amp; b &lt; c &#8217; &eacute; &#0; x"));
    assertEquals("before after", HtmlText.toText("before <script>var x = '<b>';</script>after<!-- hidden -->"));
    assertEquals("1 < 2 and 3 > 2", HtmlText.toText("1 < 2 and 3 > 2"));
    assertEquals("one\n\ntwo", HtmlText.toText("<p>one</p>\n\n<p>two"), "paragraphs are apart, as rendered");
    assertEquals("a\nb c", HtmlText.toText("a<br>b\n   c"));
    assertEquals("&unknown; stays", HtmlText.toText("&unknown; stays"));
  }

  private static byte[] fixture(String name) throws IOException {
    try (InputStream in = MailTextTest.class.getResourceAsStream("mail/" + name)) {
      if (in == null) {
        throw new IOException("test resource mail/" + name + " not found");
      }
      return in.readAllBytes();
    }
  }

  private static byte[] bytes(String mail) {
    return mail.getBytes(StandardCharsets.UTF_8);
  }
}
