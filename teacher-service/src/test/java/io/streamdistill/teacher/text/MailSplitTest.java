package io.streamdistill.teacher.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fixed train/test split. */
class MailSplitTest {

  @Test
  void shouldHoldOutAboutThirtyPercent() {
    int test = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      if (MailSplit.isTest("spamassassin/easy-ham-1/" + i)) {
        test++;
      }
    }
    assertEquals(0.30, (double) test / n, 0.015);
  }

  @Test
  void shouldKeepEveryMailOnTheSameSideForever() {
    // Pinned: if these change, the reported test accuracy of every teacher is on another split.
    String firstMail = "spamassassin/easy-ham-1/00001.7c53336b37003a9286aba55d2945844c";
    assertEquals(0.7713235282113305, MailSplit.position(firstMail));
    assertFalse(MailSplit.isTest(firstMail));
    assertEquals(0.2241618460733643, MailSplit.position("mail-2"));
    assertTrue(MailSplit.isTest("mail-2"));
    assertFalse(MailSplit.isTest("mail-1"));
  }
}
