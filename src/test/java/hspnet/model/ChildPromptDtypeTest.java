package hspnet.model;

import static org.bytedeco.pytorch.global.torch.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

import hspnet.testutil.SyntheticHspNet;

/**
 * Under fp16 autocast the meta-net's context comes out in half precision while the label prompts'
 * token embeddings are float32. The original concatenates them with torch.cat, which promotes:
 * the prompts, and the label-level text tower's residual stream after them, stay float32. So must
 * these, with the context's values carried over exactly.
 */
class ChildPromptDtypeTest {
  @Test
  void halfContextIsPromotedToTheEmbeddingsFloat32() {
    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      HspNet model = SyntheticHspNet.build(SyntheticHspNet.Size.SMALL.arch(64), 3);
      ChildPromptLearner child = model.childPromptLearner;
      long groups = SyntheticHspNet.numGroups(), width = child.tokenPrefix.size(2);
      for (ScalarType half : new ScalarType[] {ScalarType.Half, ScalarType.BFloat16}) {
        Tensor metaOut = randn(groups, child.nCtx * width).to(half);
        Tensor prompts = child.prompts(metaOut);
        assertEquals(ScalarType.Float, prompts.scalar_type().intern(), "prompts' dtype with a " + half + " context");
        Tensor expected = child.prompts(metaOut.to(ScalarType.Float));
        assertEquals(0.0, prompts.sub(expected).abs().max().item_double(), "values as the float32 context's");
      }
    }
  }
}
