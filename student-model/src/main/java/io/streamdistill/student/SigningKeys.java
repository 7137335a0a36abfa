package io.streamdistill.student;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys for signing student versions, as the JDK provides them (no extra library), stored
 * as PEM files: the private key as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, readable by the
 * owner only), the public key as X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}),
 * the same files {@code openssl genpkey -algorithm ed25519} writes.
 */
public final class SigningKeys {
  public static final String ALGORITHM = "Ed25519";

  private SigningKeys() {}

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  /** A short, stable id of a public key: the first 16 hex digits of the SHA-256 of its encoding. */
  public static String keyId(PublicKey key) {
    return sha256Hex(key.getEncoded()).substring(0, 16);
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /** Writes the key pair; the private key file gets mode 600 where the file system has modes. */
  public static void write(KeyPair pair, Path privateKeyFile, Path publicKeyFile) throws IOException {
    Path dir = privateKeyFile.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Files.createDirectories(publicKeyFile.toAbsolutePath().getParent());
    Path temp = Files.createTempFile(dir, ".signing-key", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the directory's permissions protect the key.
      }
      Files.writeString(temp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      Files.move(temp, privateKeyFile);
    } finally {
      Files.deleteIfExists(temp);
    }
    Files.writeString(publicKeyFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
  }

  public static PrivateKey readPrivate(Path file) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(unpem(file, "PRIVATE KEY")));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " is not an Ed25519 private key: " + e.getMessage(), e);
    }
  }

  public static PublicKey readPublic(Path file) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(unpem(file, "PUBLIC KEY")));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " is not an Ed25519 public key: " + e.getMessage(), e);
    }
  }

  /** Whether the public key verifies what the private key signs. */
  public static boolean matches(KeyPair pair) {
    try {
      byte[] probe = "stream-distill key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(pair.getPrivate());
      signer.update(probe);
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(pair.getPublic());
      verifier.update(probe);
      return verifier.verify(signer.sign());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private static byte[] unpem(Path file, String type) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage(), e);
    }
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(file + " is not a PEM file with a " + type + " block");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": the " + type + " block is not base64", e);
    }
  }
}
