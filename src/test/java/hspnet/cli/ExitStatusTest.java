package hspnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import hspnet.config.ConfigException;
import hspnet.nn.NumericalFault;

/** Every failure a main can meet ends in one line and its documented status, never a stack trace. */
class ExitStatusTest {
  private record Outcome(int status, String err) {
    String line() {
      assertEquals(1, err.lines().count(), "one line: " + err);
      assertTrue(err.startsWith("error: "), err);
      assertTrue(!err.contains("\tat "), "no stack trace: " + err);
      return err.strip();
    }
  }

  private static Outcome run(ExitStatus.Body body) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int status = ExitStatus.of(new PrintStream(buf, true, StandardCharsets.UTF_8), body);
    return new Outcome(status, buf.toString(StandardCharsets.UTF_8));
  }

  @Test
  void successReturnsTheBodysStatusAndPrintsNothing() {
    Outcome o = run(() -> 0);
    assertEquals(0, o.status());
    assertEquals("", o.err());
  }

  @Test
  void badInputAndFaultsAreStatusOne() {
    assertEquals(1, run(() -> { throw new IllegalArgumentException("a.jpg: cannot decode image"); }).status());
    assertEquals(1, run(() -> { throw new IOException("b.pt: disk full"); }).status());
    Outcome fault = run(() -> { throw new NumericalFault("loss is NaN"); });
    assertEquals(1, fault.status());
    assertEquals("error: loss is NaN", fault.line());
  }

  @Test
  void javaHeapExhaustionIsOneLineWithTheLimitAndWhatToChange() {
    Outcome o = run(() -> { throw new OutOfMemoryError("Java heap space"); });
    assertEquals(1, o.status());
    assertTrue(o.line().contains("out of Java heap memory") && o.line().contains("-Xmx") && o.line().contains("batch_size"), o.err());
    // the same from a loader thread, wrapped by its future
    Outcome wrapped = run(() -> { throw new CompletionException(new OutOfMemoryError("Java heap space")); });
    assertEquals(1, wrapped.status());
    assertTrue(wrapped.line().contains("out of Java heap memory"), wrapped.err());
  }

  @Test
  void libTorchAllocatorFailuresAreOutOfMemoryNotBugs() {
    Outcome o = run(() -> {
      throw new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.11 GiB total capacity)\n"
          + "Exception raised from malloc at c10/cuda/CUDACachingAllocator.cpp:123 (most recent call first):\nframe #0: ...");
    });
    assertEquals(1, o.status());
    assertTrue(o.line().contains("out of memory in LibTorch (CUDA out of memory. Tried to allocate 2.00 GiB")
        && o.line().contains("lower batch_size") && !o.line().contains("frame #0"), o.err());
  }

  @Test
  void anyOtherFailureIsAnInternalErrorWithItsTraceInAFile() throws IOException {
    Outcome o = run(() -> { throw new IllegalStateException("the impossible happened\nsecond line"); });
    assertEquals(3, o.status());
    String line = o.line();
    assertTrue(line.startsWith("error: internal error (IllegalStateException: the impossible happened)"), line);
    String prefix = "the stack trace is in ";
    int at = line.indexOf(prefix);
    assertTrue(at > 0, line);
    Path trace = Path.of(line.substring(at + prefix.length(), line.indexOf(';', at)));
    try {
      String text = Files.readString(trace);
      assertTrue(text.contains("the impossible happened") && text.contains("\tat " + ExitStatusTest.class.getName()), text);
    } finally {
      Files.deleteIfExists(trace);
    }
    Outcome deep = run(() -> { throw new StackOverflowError(); });
    assertEquals(3, deep.status());
    assertTrue(deep.line().contains("StackOverflowError: no message"), deep.err());
    Path deepTrace = Path.of(deep.line().replaceAll(".*the stack trace is in ([^;]+);.*", "$1"));
    Files.deleteIfExists(deepTrace);
  }

  @Test
  void configProblemsAreStatusTwo() {
    Outcome o = run(() -> { throw new ConfigException("c.yaml:3: unknown key 'epoch'"); });
    assertEquals(2, o.status());
    assertEquals("error: c.yaml:3: unknown key 'epoch'", o.line());
  }
}
