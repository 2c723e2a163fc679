package hspnet.nn;

import org.bytedeco.javacpp.Pointer;

/**
 * How JavaCPP watches the native memory of this process. By default it reads the process's
 * resident size (/proc/self/statm) every time it registers a native object for release, so that
 * it can force a garbage collection when the size passes a limit (four times the Java heap). Every
 * LibTorch tensor a Java call returns is such an object; the read made up about 40% of the host
 * time of a fused graph-convolution step and slowed every tensor operation by a microsecond or more
 * (docs/speed.md). This project frees its tensors through PointerScope instead of the collector
 * (hspnet.train.NativeMemoryTest measures it), so {@link #apply()} turns the limit, and with it the
 * read, off.
 *
 * <p>The setting is read once, when JavaCPP's {@link Pointer} class initialises: every main applies
 * it in its static initialiser, before its first native call, and the test JVM at session start.
 * A value given on the command line ({@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=…}) wins.
 */
public final class JavaCppTuning {
  /** JavaCPP's system property, and the all-lowercase spelling it reads first. */
  public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";
  static final String MAX_PHYSICAL_BYTES_LOWER = "org.bytedeco.javacpp.maxphysicalbytes";

  private JavaCppTuning() {}

  /** Turns JavaCPP's resident-size limit off unless the user set it; call before any native object exists. */
  public static void apply() {
    if (System.getProperty(MAX_PHYSICAL_BYTES) == null && System.getProperty(MAX_PHYSICAL_BYTES_LOWER) == null)
      System.setProperty(MAX_PHYSICAL_BYTES, "0");
  }

  /** Whether JavaCPP runs without the limit in this process (initialises Pointer if nothing has yet). */
  public static boolean inEffect() {
    return Pointer.maxPhysicalBytes() == 0;
  }
}
