package hspnet.testutil;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

/** Checks shared by the tests of result files and console output. */
public final class ResultFiles {
  private ResultFiles() {}

  /** The file decoded as a PNG (its signature checked first); fails the test when it is none. */
  public static BufferedImage png(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4), file + " starts as a PNG");
    BufferedImage img = ImageIO.read(file.toFile());
    assertNotNull(img, file + " decodes");
    return img;
  }

  /** Index of the first character below 0x20 other than a line feed, or DEL; -1 when there is none. */
  public static int firstControlCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\n') || c == 0x7f) return i;
    }
    return -1;
  }
}
