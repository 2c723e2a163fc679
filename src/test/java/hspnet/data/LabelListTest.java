package hspnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.LabelList.Sample;

class LabelListTest {
  @TempDir Path dir;

  private Path list(String text) throws IOException {
    Path f = dir.resolve("list.txt");
    Files.writeString(f, text);
    return f;
  }

  /** The message of reading {@code text}; asserts it names file:line. */
  private String error(String text, int line) throws IOException {
    Path f = list(text);
    String msg = assertThrows(IllegalArgumentException.class, () -> LabelList.read(f, 20)).getMessage();
    assertTrue(msg.startsWith(f + ":" + line + ": "), "names file:line " + line + ": " + msg);
    return msg;
  }

  @Test
  void readsPathsAndIndices() throws IOException {
    List<Sample> s = LabelList.read(list("""
        2008_000008.jpg,12 14
        a/b c.jpg, 0

        x.jpg,   3  19 7\r
        """), 20);
    assertEquals(3, s.size(), "blank line skipped");
    assertEquals("2008_000008.jpg", s.get(0).path());
    assertArrayEquals(new int[] {12, 14}, s.get(0).labels());
    assertEquals("a/b c.jpg", s.get(1).path());
    assertArrayEquals(new int[] {0}, s.get(1).labels());
    assertArrayEquals(new int[] {3, 19, 7}, s.get(2).labels(), "file order kept, CR ignored");
    assertTrue(s.get(2).has(19) && !s.get(2).has(4));
  }

  @Test
  void writeThenReadRoundTrips() throws IOException {
    List<Sample> s = List.of(new Sample("images/train/00000.png", new int[] {3}),
        new Sample("b.jpg", new int[] {0, 5, 2}));
    Path f = dir.resolve("sub/out.txt");
    LabelList.write(f, s);
    assertEquals("images/train/00000.png,3\nb.jpg,0 5 2\n", Files.readString(f));
    assertEquals(s, LabelList.read(f, 6));
  }

  @Test
  void writeRefusesPathsThatWouldNotReadBack() {
    Path f = dir.resolve("out.txt");
    assertThrows(IllegalArgumentException.class, () -> LabelList.write(f, List.of(new Sample("a,b.jpg", new int[] {1}))));
    assertThrows(IllegalArgumentException.class, () -> LabelList.write(f, List.of(new Sample("a.jpg", new int[0]))));
    assertTrue(Files.notExists(f));
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("none.txt");
    String msg = assertThrows(IllegalArgumentException.class, () -> LabelList.read(f, 3)).getMessage();
    assertTrue(msg.contains(f.toString()), msg);
  }

  @Test
  void noComma() throws IOException {
    assertTrue(error("a.jpg,1\nb.jpg 2\n", 2).contains("no comma"));
  }

  @Test
  void nonIntegerIndex() throws IOException {
    assertTrue(error("a.jpg,1\n\nb.jpg,2 x3\n", 3).contains("'x3' is not an integer"));
    assertTrue(error("a.jpg,1,2\n", 1).contains("'1,2' is not an integer"));
  }

  @Test
  void indexOutOfRange() throws IOException {
    assertTrue(error("a.jpg,20\n", 1).contains("outside [0, 20)"));
    assertTrue(error("a.jpg,1\nb.jpg,-1\n", 2).contains("outside [0, 20)"));
  }

  @Test
  void emptyLabelSet() throws IOException {
    assertTrue(error("a.jpg,1\nb.jpg,   \n", 2).contains("no label index"));
  }

  @Test
  void duplicateIndex() throws IOException {
    assertTrue(error("a.jpg,4 5 4\n", 1).contains("4 appears twice"));
  }

  @Test
  void emptyPath() throws IOException {
    assertTrue(error(",4\n", 1).contains("empty image path"));
  }
}
