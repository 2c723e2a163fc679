package hspnet.io;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import hspnet.testutil.Fixtures;
import hspnet.testutil.HspNetVariants;
import hspnet.testutil.Shared;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;

class NpyTest {
  @TempDir Path tmp;

  @Test
  void roundTripsFloatsAndLongs() throws Exception {
    Path f = tmp.resolve("a.npy");
    Npy.write(f, NpyArray.ofFloats(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, 2, 3));
    NpyArray a = Npy.read(f);
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, a.floats());
    assertEquals(0, (Files.size(f) - 6 * 4) % 64, "header padded to 64 bytes");

    Path g = tmp.resolve("b.npy");
    Npy.write(g, NpyArray.ofLongs(new long[] {5, -1, 1L << 40}, 3));
    NpyArray b = Npy.read(g);
    assertEquals(NpyArray.DType.INT64, b.dtype());
    assertArrayEquals(new long[] {5, -1, 1L << 40}, b.longs());
    Tensor t = b.toTensor();
    assertEquals(1L << 40, t.get(2).item_long());
  }

  /** The relation file of each fixture HSPNet: labels then groups, (C + G) x (C + G) cosine similarities. */
  @HspNetVariants
  void readsFixtureRelationMatrix(String variant) throws Exception {
    JsonNode c = Fixtures.variant("hspnet", variant);
    int n = c.get("num_labels").asInt() + c.get("num_groups").asInt();
    NpyArray r = Npy.read(Shared.fixture(c.at("/cfg/relation_file").asText()));
    assertArrayEquals(new long[] {n, n}, r.shape());
    float[] v = r.floats();
    // cosine similarities: the diagonal is 1 up to float32 rounding, and the matrix is symmetric
    for (int i = 0; i < n; i++) {
      assertEquals(1.0, v[i * n + i], 1e-5);
      for (int j = 0; j < n; j++) assertEquals(v[i * n + j], v[j * n + i], 1e-6);
    }
  }

  @Test
  void refusesUnsupportedAndTruncatedFiles() throws Exception {
    Path f = tmp.resolve("a.npy");
    Npy.write(f, NpyArray.ofFloats(new float[] {1, 2, 3, 4}, 4));
    byte[] all = Files.readAllBytes(f);

    Path truncated = tmp.resolve("t.npy");
    Files.write(truncated, Arrays.copyOf(all, all.length - 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(truncated));
    assertTrue(e.getMessage().contains("t.npy") && e.getMessage().contains("truncated"), e.getMessage());

    Path fortran = tmp.resolve("f.npy");
    Files.write(fortran, new String(all, StandardCharsets.ISO_8859_1)
        .replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1));
    e = assertThrows(IllegalArgumentException.class, () -> Npy.read(fortran));
    assertTrue(e.getMessage().contains("Fortran"), e.getMessage());

    Path bigEndian = tmp.resolve("be.npy");
    Files.write(bigEndian, new String(all, StandardCharsets.ISO_8859_1)
        .replace("<f4", ">f4").getBytes(StandardCharsets.ISO_8859_1));
    e = assertThrows(IllegalArgumentException.class, () -> Npy.read(bigEndian));
    assertTrue(e.getMessage().contains(">f4"), e.getMessage());

    Path garbage = tmp.resolve("g.npy");
    Files.writeString(garbage, "hello");
    e = assertThrows(IllegalArgumentException.class, () -> Npy.read(garbage));
    assertTrue(e.getMessage().contains("g.npy"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> Npy.read(tmp.resolve("missing.npy")));
    assertTrue(e.getMessage().contains("missing.npy"), e.getMessage());
  }
}
