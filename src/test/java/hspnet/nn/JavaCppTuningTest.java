package hspnet.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * JavaCPP's resident-size limit is off where this project runs: in the test JVM (set at session
 * start, before the first native object) and in every main, whose class initialiser sets it before
 * main runs; a value the user gave is kept.
 */
class JavaCppTuningTest {
  @Test
  void theTestJvmRunsWithoutTheLimit() {
    assertTrue(JavaCppTuning.inEffect(), "JavaCPP's maxPhysicalBytes is " + Pointer.maxPhysicalBytes()
        + ": it was initialised before the setting was applied");
  }

  @Test
  void everyMainAppliesItWhenItsClassInitialises() throws Exception {
    List<String> mains = mainClasses();
    assertTrue(mains.size() >= 10, "mains found: " + mains);
    String before = System.getProperty(JavaCppTuning.MAX_PHYSICAL_BYTES);
    try {
      for (String name : mains) {
        System.clearProperty(JavaCppTuning.MAX_PHYSICAL_BYTES);
        // a loader of its own: the class initialises afresh, as in a new JVM
        try (URLClassLoader fresh = new URLClassLoader(classPath(), ClassLoader.getPlatformClassLoader())) {
          Class.forName(name, true, fresh);
        }
        assertEquals("0", System.getProperty(JavaCppTuning.MAX_PHYSICAL_BYTES), name + " does not apply JavaCppTuning");
      }
    } finally {
      restore(before);
    }
  }

  /**
   * What the limit did to a process whose tensors legitimately outgrow four times its heap: every
   * new native object made JavaCPP collect garbage, wait and finally throw an OutOfMemoryError.
   */
  @Test
  void nativeMemoryIsNotCappedByTheHeap() throws Exception {
    assertEquals("held 400 MB and computed 6.0", probe().strip());
    assertTrue(probe("--untuned").startsWith("refused: Physical memory usage is too high"), "JavaCPP's default no longer refuses:"
        + " the probe no longer shows what the tuning is for");
  }

  private static String probe(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), NativeHeadroomProbe.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  @Test
  void aValueTheUserGaveWins() {
    String before = System.getProperty(JavaCppTuning.MAX_PHYSICAL_BYTES);
    try {
      System.setProperty(JavaCppTuning.MAX_PHYSICAL_BYTES, "12g");
      JavaCppTuning.apply();
      assertEquals("12g", System.getProperty(JavaCppTuning.MAX_PHYSICAL_BYTES));
    } finally {
      restore(before);
    }
  }

  private static void restore(String value) {
    if (value == null) System.clearProperty(JavaCppTuning.MAX_PHYSICAL_BYTES);
    else System.setProperty(JavaCppTuning.MAX_PHYSICAL_BYTES, value);
  }

  private static List<String> mainClasses() throws IOException {
    List<String> names = new ArrayList<>();
    for (String root : List.of("src/main/java", "src/bench/java")) {
      try (Stream<Path> files = Files.walk(Path.of(root))) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList())
          if (Files.readString(f).contains("static void main(")) {
            String rel = Path.of(root).relativize(f).toString();
            names.add(rel.substring(0, rel.length() - ".java".length()).replace(File.separatorChar, '.'));
          }
      }
    }
    return names;
  }

  private static URL[] classPath() throws MalformedURLException {
    String[] parts = System.getProperty("java.class.path").split(File.pathSeparator);
    URL[] urls = new URL[parts.length];
    for (int i = 0; i < parts.length; i++) urls[i] = new File(parts[i]).toURI().toURL();
    return urls;
  }
}
