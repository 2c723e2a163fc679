package hspnet.testutil;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import hspnet.nn.CpuNumerics;
import hspnet.nn.JavaCppTuning;

/**
 * Applies {@link JavaCppTuning} and pins the CPU kernels once per test JVM, before the first test class is even loaded, as every
 * main does before its first tensor: tests then compute with the kernels users get, whichever
 * test happens to touch LibTorch first.
 */
public final class PinCpuKernels implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    JavaCppTuning.apply();
    CpuNumerics.pin();
  }
}
