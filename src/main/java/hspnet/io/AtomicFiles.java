package hspnet.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes files so that a crash never leaves a half-written one behind: the content goes to a
 * temporary file in the destination folder, which is then renamed over the destination.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a file's content to a stream. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Something that writes a whole file given its path (a native writer that opens files itself). */
  @FunctionalInterface
  public interface PathWriter {
    void writeTo(Path file) throws IOException;
  }

  public static void write(Path file, byte[] content) throws IOException {
    write(file, out -> out.write(content));
  }

  public static void write(Path file, Writer writer) throws IOException {
    writeVia(file, tmp -> {
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        writer.writeTo(out);
      }
    });
  }

  /** Lets {@code writer} fill a temporary file beside {@code file}, then renames it over {@code file}. */
  public static void writeVia(Path file, PathWriter writer) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      writer.writeTo(tmp);
      readableLikeAnyNewFile(tmp);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * createTempFile makes owner-only files (0600); the files written here are results and data
   * that users share, so give them the permissions an ordinary new file gets (rw-r--r--).
   */
  private static void readableLikeAnyNewFile(Path tmp) throws IOException {
    if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix"))
      Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
  }
}
