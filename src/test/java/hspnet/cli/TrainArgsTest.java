package hspnet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import java.util.List;

class TrainArgsTest {
  @Test
  void parsesTheOriginalsOptions() {
    TrainArgs a = TrainArgs.parse("-c", "configs/hspnet+voc.yaml");
    assertEquals(Path.of("configs/hspnet+voc.yaml"), a.configFile());
    assertFalse(a.test());
    assertNull(a.round());
    TrainArgs t = TrainArgs.parse("--config-file", "x.yaml", "-t", "-r", "3");
    assertTrue(t.test());
    assertEquals(3, t.round());
    TrainArgs eq = TrainArgs.parse("--config-file=y.yaml", "--test", "--round=2");
    assertEquals(Path.of("y.yaml"), eq.configFile());
    assertEquals(2, eq.round());
    assertTrue(TrainArgs.parse("--help").help());
    assertFalse(a.resume());
    TrainArgs resume = TrainArgs.parse("-c", "x.yaml", "--resume");
    assertTrue(resume.resume());
    assertNull(resume.round(), "the latest round");
    assertEquals(4, TrainArgs.parse("-c", "x.yaml", "--resume", "-r", "4").round());
  }

  @Test
  void usageDocumentsEveryOption() {
    for (String option : new String[] {"--config-file", "--test", "--resume", "--round", "--help"})
      assertTrue(TrainArgs.USAGE.contains(option), option);
  }

  @Test
  void refusesBadCommandLines() {
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-t")).getMessage().contains("missing -c"));
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-c")).getMessage().contains("needs a value"));
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-c", "x", "-t", "-r", "one")).getMessage().contains("round number"));
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-c", "x", "-t", "-r", "0")).getMessage().contains("1 or more"));
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-c", "x", "--epochs", "3")).getMessage().contains("unknown option '--epochs'"));
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-c", "x", "-r", "2")).getMessage().contains("use it with -t or --resume"));
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-c", "x", "-t", "--resume")).getMessage().contains("exclude each other"));
  }

  @Test
  void overridesAreRepeatableInOrder() {
    TrainArgs a = TrainArgs.parse("-c", "x.yaml", "-o", "epochs=1", "--override", "lr=1e-3", "--override=device=cpu");
    assertEquals(List.of("epochs=1", "lr=1e-3", "device=cpu"), a.overrides());
    assertEquals(List.of(), TrainArgs.parse("-c", "x.yaml").overrides());
    assertTrue(assertThrows(UsageException.class, () -> TrainArgs.parse("-c", "x.yaml", "-o")).getMessage()
        .contains("option -o needs a value (usage: hspnet -h)"));
    assertTrue(TrainArgs.USAGE.contains("-o, --override KEY=VALUE"));
  }
}
