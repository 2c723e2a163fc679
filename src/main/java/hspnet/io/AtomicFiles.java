package hspnet.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.io.BufferedOutputStream;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files so that a crash never leaves a half-written one behind: the content goes to a
 * temporary file {@code .<name>.<digits>.tmp} in the destination folder, which is flushed to disk
 * (fsync), renamed over the destination, and the folder is flushed too, so that after a power cut
 * the name points at either the old or the new complete content. A failed write (a full disk)
 * removes the temporary file, keeps the previous file and ends in one IOException naming the file.
 * Temporary files a killed process left are removed by {@link #removeOrphans}.
 */
public final class AtomicFiles {
  /** The names {@link Files#createTempFile} gives with the prefix and suffix used here. */
  private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9]+\\.tmp");

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
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
          OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20)) {
        writer.writeTo(out);
        out.flush();
        ch.force(true);
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
      fsync(tmp);
      readableLikeAnyNewFile(tmp);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      fsyncFolder(dir);
    } catch (IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.startsWith(file.toString())) throw e;
      throw new IOException(file + ": cannot write: " + m + (Files.exists(file) ? "; the previous version is kept" : ""), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the temporary files ({@code .<name>.<digits>.tmp}) an interrupted write left in
   * {@code dir} (not in its subfolders) and returns their names. Call it only when no other
   * process writes there (at the start of a run in its own folder).
   */
  public static List<String> removeOrphans(Path dir) throws IOException {
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(dir)) return removed;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (TEMPORARY.matcher(name).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(p);
          removed.add(name);
        }
      }
    }
    return removed;
  }

  private static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Makes a rename durable; some file systems cannot open a folder for it, which is no error. */
  private static void fsyncFolder(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort: the rename itself is atomic
    }
  }

  /**
   * createTempFile makes owner-only files (0600); the files written here are results and data
   * that users share, so give them the permissions an ordinary new file gets (rw-r--r--).
   */
  private static void readableLikeAnyNewFile(Path tmp) throws IOException {
    if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix"))
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
  }
}
