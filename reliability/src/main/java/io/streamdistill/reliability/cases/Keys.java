package io.streamdistill.reliability.cases;

import io.streamdistill.reliability.CampaignException;
import io.streamdistill.student.SigningKeys;
import io.streamdistill.trainer.KeygenCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * A fresh signing key pair per case, written where the trainer ({@code --keys}) and the edge node
 * ({@code --public-key}) read it.
 */
final class Keys {
  private Keys() {}

  /** Writes a new pair to {@code dir} (as {@code ./distill keygen --out dir} would) and returns it. */
  static KeyPair write(Path dir) {
    KeyPair pair = SigningKeys.generate();
    try {
      Files.createDirectories(dir);
      SigningKeys.write(pair, dir.resolve(KeygenCommand.PRIVATE_FILE), dir.resolve(KeygenCommand.PUBLIC_FILE));
    } catch (IOException e) {
      throw new CampaignException("could not write a key pair to " + dir, e);
    }
    return pair;
  }

  static Path publicKey(Path dir) {
    return dir.resolve(KeygenCommand.PUBLIC_FILE);
  }
}
