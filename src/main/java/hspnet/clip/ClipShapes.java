package hspnet.clip;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state-dict names and shapes a CLIP of a given architecture has, computed without building
 * it: weights are checked against them before any tensor is read or any model allocated, so a
 * small file whose few shapes describe a huge architecture is refused instead of allocated.
 * (A test checks these against the shapes of built models.)
 */
final class ClipShapes {
  private ClipShapes() {}

  static LinkedHashMap<String, long[]> of(ClipArch a) {
    LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
    long e = a.embedDim(), w = a.transformerWidth();
    s.put("positional_embedding", shape(a.contextLength(), w));
    s.put("text_projection", shape(w, e));
    s.put("logit_scale", shape());
    if (a.vision() instanceof ClipArch.Vit v) {
      long vw = v.width(), grid = a.imageResolution() / v.patchSize();
      s.put("visual.class_embedding", shape(vw));
      s.put("visual.positional_embedding", shape(grid * grid + 1, vw));
      s.put("visual.proj", shape(vw, e));
      s.put("visual.conv1.weight", shape(vw, 3, v.patchSize(), v.patchSize()));
      layerNorm(s, "visual.ln_pre", vw);
      for (int i = 0; i < v.layers(); i++) block(s, "visual.transformer.resblocks." + i, vw);
      layerNorm(s, "visual.ln_post", vw);
    } else {
      ClipArch.ResNet r = (ClipArch.ResNet) a.vision();
      long vw = r.width();
      s.put("visual.conv1.weight", shape(vw / 2, 3, 3, 3));
      batchNorm(s, "visual.bn1", vw / 2);
      s.put("visual.conv2.weight", shape(vw / 2, vw / 2, 3, 3));
      batchNorm(s, "visual.bn2", vw / 2);
      s.put("visual.conv3.weight", shape(vw, vw / 2, 3, 3));
      batchNorm(s, "visual.bn3", vw);
      long inplanes = vw;
      for (int stage = 0; stage < 4; stage++) {
        long planes = vw << stage;
        for (int b = 0; b < r.layers().get(stage); b++) {
          String p = "visual.layer" + (stage + 1) + "." + b;
          boolean strided = b == 0 && stage > 0;
          s.put(p + ".conv1.weight", shape(planes, inplanes, 1, 1));
          batchNorm(s, p + ".bn1", planes);
          s.put(p + ".conv2.weight", shape(planes, planes, 3, 3));
          batchNorm(s, p + ".bn2", planes);
          s.put(p + ".conv3.weight", shape(planes * 4, planes, 1, 1));
          batchNorm(s, p + ".bn3", planes * 4);
          if (strided || inplanes != planes * 4) {
            s.put(p + ".downsample.0.weight", shape(planes * 4, inplanes, 1, 1));
            batchNorm(s, p + ".downsample.1", planes * 4);
          }
          inplanes = planes * 4;
        }
      }
      long pool = vw * 32, grid = a.imageResolution() / 32;
      s.put("visual.attnpool.positional_embedding", shape(grid * grid + 1, pool));
      for (String proj : new String[] {"k_proj", "q_proj", "v_proj"}) {
        s.put("visual.attnpool." + proj + ".weight", shape(pool, pool));
        s.put("visual.attnpool." + proj + ".bias", shape(pool));
      }
      s.put("visual.attnpool.c_proj.weight", shape(e, pool));
      s.put("visual.attnpool.c_proj.bias", shape(e));
    }
    for (int i = 0; i < a.transformerLayers(); i++) block(s, "transformer.resblocks." + i, w);
    s.put("token_embedding.weight", shape(a.vocabSize(), w));
    layerNorm(s, "ln_final", w);
    return s;
  }

  /** Elements of all the tensors: what the model will allocate. */
  static long numel(Map<String, long[]> shapes) {
    long n = 0;
    for (long[] sh : shapes.values()) {
      long k = 1;
      for (long d : sh) k = Math.multiplyExact(k, d);
      n = Math.addExact(n, k);
    }
    return n;
  }

  private static void block(Map<String, long[]> s, String p, long w) {
    s.put(p + ".attn.in_proj_weight", shape(3 * w, w));
    s.put(p + ".attn.in_proj_bias", shape(3 * w));
    s.put(p + ".attn.out_proj.weight", shape(w, w));
    s.put(p + ".attn.out_proj.bias", shape(w));
    layerNorm(s, p + ".ln_1", w);
    s.put(p + ".mlp.c_fc.weight", shape(4 * w, w));
    s.put(p + ".mlp.c_fc.bias", shape(4 * w));
    s.put(p + ".mlp.c_proj.weight", shape(w, 4 * w));
    s.put(p + ".mlp.c_proj.bias", shape(w));
    layerNorm(s, p + ".ln_2", w);
  }

  private static void layerNorm(Map<String, long[]> s, String p, long w) {
    s.put(p + ".weight", shape(w));
    s.put(p + ".bias", shape(w));
  }

  private static void batchNorm(Map<String, long[]> s, String p, long c) {
    s.put(p + ".weight", shape(c));
    s.put(p + ".bias", shape(c));
    s.put(p + ".running_mean", shape(c));
    s.put(p + ".running_var", shape(c));
    s.put(p + ".num_batches_tracked", shape());
  }

  private static long[] shape(long... dims) {
    return dims;
  }
}
