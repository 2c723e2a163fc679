package hspnet.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.util.Map;

import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import hspnet.io.TorchZipReader;
import hspnet.nn.StateDicts;
import hspnet.testutil.Fixtures;
import hspnet.testutil.NativeScope;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * The tiny VisionTransformer CLIP of the fixtures ({@code clip_vit.*}), built from cases.json's
 * architecture: the state dict loads strictly, bit-identically and in the original's key order,
 * and in eval mode the four outputs match the original's.
 */
@ExtendWith(NativeScope.class)
class ClipVitParityTest {
  @Test
  void encodersAndLogitsMatchTheOriginal() throws Exception {
    ClipArch arch = Fixtures.clipArch("vit");
    assertInstanceOf(ClipArch.Vit.class, arch.vision());
    ClipModel clip = new ClipModel(arch);
    Path file = Shared.fixture("clip_vit.state.pt");
    Map<String, Tensor> stored = TorchZipReader.readStateDict(file);
    assertEquals(62, stored.size());
    StateDicts.loadStrict(clip, stored, file.getFileName().toString());
    Map<String, Tensor> mine = StateDicts.of(clip);
    Parity.assertLoadedExactly(mine, stored);
    assertEquals(java.util.List.copyOf(stored.keySet()), java.util.List.copyOf(mine.keySet()), "state-dict order");
    clip.eval();
    ClipFixtureParity.assertOutputs(clip, "vit", "clip_vit (state.pt, direct)");
  }
}
