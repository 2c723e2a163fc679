package hspnet.run;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.config.ConfigException;

class RoundFolderTest {
  @TempDir Path root;

  @Test
  void everyRunGetsTheNextRound() throws Exception {
    assertEquals(root.resolve("run/round1"), RoundFolder.createNext(root, "run"));
    assertEquals(root.resolve("run/round2"), RoundFolder.createNext(root, "run"));
    Files.createDirectories(root.resolve("run/notes"));
    assertEquals(root.resolve("run/round3"), RoundFolder.createNext(root, "run"), "other folders do not count");
    assertEquals(3, RoundFolder.latestRound(root.resolve("run")));
  }

  @Test
  void aGapLeftByADeletedRoundIsNotReused() throws Exception {
    Files.createDirectories(root.resolve("run/round2"));
    // one round exists, so the count says round2, which is taken: the next free one is used
    assertEquals(root.resolve("run/round3"), RoundFolder.createNext(root, "run"));
  }

  @Test
  void testingAMissingRoundSaysWhichExist() throws Exception {
    ConfigException e = assertThrows(ConfigException.class, () -> RoundFolder.existing(root, "run", 1));
    assertTrue(e.getMessage().contains("has not been trained yet"), e.getMessage());
    RoundFolder.createNext(root, "run");
    e = assertThrows(ConfigException.class, () -> RoundFolder.existing(root, "run", 4));
    assertTrue(e.getMessage().contains("go up to 1"), e.getMessage());
    assertEquals(root.resolve("run/round1"), RoundFolder.existing(root, "run", 1));
  }
}
