package hspnet.clip;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;

import hspnet.nn.JavaModule;

/**
 * Which CLIP tensors OpenAI's build_model stores in float16. Its convert_weights() turns the
 * weights and biases of every Conv and Linear layer, the attention layers' in_proj_weight and
 * in_proj_bias, and the text_projection and proj matrices into float16 <em>before</em>
 * load_state_dict, and the caller then goes back to float32: a float32 checkpoint's values for
 * these tensors are rounded to the nearest float16 (reference README, gotcha 1). Embeddings,
 * LayerNorm, BatchNorm and logit_scale keep their precision. The rule is applied to our module
 * tree by layer type and parameter name, as convert_weights applies it to the original's.
 */
final class Fp16Rounding {
  private static final Set<String> NAMED = Set.of("in_proj_weight", "in_proj_bias", "text_projection", "proj");

  private Fp16Rounding() {}

  /** State-dict keys of the tensors build_model rounds through float16. */
  static Set<String> keys(JavaModule model) {
    Set<String> out = new LinkedHashSet<>();
    collect(model, "", out);
    return out;
  }

  private static void collect(Module m, String prefix, Set<String> out) {
    if (m instanceof Conv2dImpl || m instanceof LinearImpl) {
      addOwn(m, prefix, Set.of("weight", "bias"), out);
      return;
    }
    addOwn(m, prefix, NAMED, out);
    if (m instanceof JavaModule jm)
      for (Map.Entry<String, Module> c : jm.javaChildren().entrySet()) collect(c.getValue(), prefix + c.getKey() + ".", out);
  }

  private static void addOwn(Module m, String prefix, Set<String> names, Set<String> out) {
    StringTensorDict own = m.named_parameters(false);
    for (long i = 0; i < own.size(); i++) {
      String name = own.get(i).key().getString();
      if (names.contains(name)) out.add(prefix + name);
    }
  }
}
