package hspnet.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
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
