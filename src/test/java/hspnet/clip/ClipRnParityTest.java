package hspnet.clip;

import org.junit.jupiter.api.extension.ExtendWith;
import hspnet.testutil.NativeScope;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.io.TorchZipReader;
import hspnet.nn.Ops;
import hspnet.nn.StateDicts;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * The tiny ModifiedResNet CLIP of the fixtures ({@code clip_rn.*}): its weights load strictly and
 * bit-identically into our ClipModel, and in eval mode encode_image, encode_text and
 * logits_per_image match what the original CLIP code computed on the same inputs.
 */
@ExtendWith(NativeScope.class)
class ClipRnParityTest {

  /** A ClipModel of the clip_rn architecture holding the fixture's weights, in eval mode. */
  static ClipModel loadClipRn() throws Exception {
    JsonNode cases = new ObjectMapper().readTree(Shared.fixture("cases.json").toFile());
    ClipArch arch = hspnet.testutil.Fixtures.clipArch("rn");
    assertEquals(49408, arch.vocabSize());
    assertEquals(64, arch.imageResolution());
    ClipModel clip = new ClipModel(arch);
    Path file = Shared.fixture("clip_rn.state.pt");
    Map<String, Tensor> stored = TorchZipReader.readStateDict(file);
    assertEquals(153, stored.size());
    StateDicts.loadStrict(clip, stored, file.getFileName().toString());
    Parity.assertLoadedExactly(StateDicts.of(clip), stored);
    clip.eval();
    return clip;
  }

  @Test
  void encodersAndLogitsMatchTheOriginal() throws Exception {
    ClipModel clip = loadClipRn();
    Tensor images = Npy.read(Shared.fixture("clip_rn.images.npy")).toTensor();
    NpyArray tokenArray = Npy.read(Shared.fixture("clip_rn.text_tokens.npy"));
    long[][] rows = rows(tokenArray);
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor img = clip.encodeImage(images);
      Tensor txt = clip.encodeText(tokenArray.toTensor(), rows);
      Parity.assertForward("clip_rn.encode_image", img, Shared.fixture("clip_rn.encode_image.npy"));
      Parity.assertForward("clip_rn.encode_text", txt, Shared.fixture("clip_rn.encode_text.npy"));
      Tensor logits = Ops.l2Normalize(img).matmul(Ops.l2Normalize(txt).t()).mul(clip.logitScale().exp());
      Parity.assertForward("clip_rn.logits_per_image", logits, Shared.fixture("clip_rn.logits_per_image.npy"));
      Parity.assertForward("clip_rn.logits_per_text", logits.t(), Shared.fixture("clip_rn.logits_per_text.npy"));
    }
  }

  static long[][] rows(NpyArray a) {
    long[] shape = a.shape();
    long[] flat = a.longs();
    int n = (int) shape[0], len = (int) shape[1];
    long[][] out = new long[n][len];
    for (int i = 0; i < n; i++) System.arraycopy(flat, i * len, out[i], 0, len);
    return out;
  }
}
