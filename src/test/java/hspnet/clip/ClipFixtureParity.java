package hspnet.clip;

import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import hspnet.io.Npy;
import hspnet.io.NpyArray;
import hspnet.nn.Ops;
import hspnet.testutil.Parity;
import hspnet.testutil.Shared;

/**
 * Runs a CLIP model on a fixture's inputs ({@code clip_<variant>.images.npy}, {@code .text_tokens.npy})
 * and asserts encode_image, encode_text and both logits against the original's outputs.
 */
final class ClipFixtureParity {
  private ClipFixtureParity() {}

  /** @return the max abs difference per output, in the order checked */
  static Map<String, Double> assertOutputs(ClipModel clip, String variant, String label) throws Exception {
    String p = "clip_" + variant + ".";
    Tensor images = Npy.read(Shared.fixture(p + "images.npy")).toTensor();
    NpyArray tokenArray = Npy.read(Shared.fixture(p + "text_tokens.npy"));
    Map<String, Double> diffs = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      Tensor img = clip.encodeImage(images);
      Tensor txt = clip.encodeText(tokenArray.toTensor(), rows(tokenArray));
      Tensor logits = Ops.l2Normalize(img).matmul(Ops.l2Normalize(txt).t()).mul(clip.logitScale().exp());
      diffs.put("encode_image", Parity.assertForward(label + " encode_image", img, Shared.fixture(p + "encode_image.npy")));
      diffs.put("encode_text", Parity.assertForward(label + " encode_text", txt, Shared.fixture(p + "encode_text.npy")));
      diffs.put("logits_per_image",
          Parity.assertForward(label + " logits_per_image", logits, Shared.fixture(p + "logits_per_image.npy")));
      diffs.put("logits_per_text",
          Parity.assertForward(label + " logits_per_text", logits.t(), Shared.fixture(p + "logits_per_text.npy")));
    }
    return diffs;
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
