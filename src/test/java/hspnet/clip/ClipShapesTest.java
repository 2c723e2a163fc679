package hspnet.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import hspnet.nn.StateDicts;
import hspnet.testutil.NativeScope;

/** The shapes ClipLoader checks files against are those of the models it builds. */
@ExtendWith(NativeScope.class)
class ClipShapesTest {
  @Test
  void shapesWithoutBuildingAreTheBuiltModelsShapes() {
    for (ClipArch arch : List.of(ClipLoaderTest.TINY_RN, ClipLoaderTest.TINY_VIT,
        ClipArch.resNet(24, 64, List.of(2, 1, 3, 1), 8, 4, 9, 50, 32, 4, 2),
        ClipArch.vit(12, 48, 2, 32, 8, 4, 13, 40, 16, 2, 3))) {
      Map<String, long[]> want = StateDicts.shapes(StateDicts.of(new ClipModel(arch)));
      Map<String, long[]> got = ClipShapes.of(arch);
      assertEquals(new ArrayList<>(want.keySet()).stream().sorted().toList(), new ArrayList<>(got.keySet()).stream().sorted().toList(), arch.toString());
      want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
      System.out.println("ClipShapes: " + got.size() + " tensors, " + ClipShapes.numel(got) + " elements, as built for " + arch);
    }
  }
}
