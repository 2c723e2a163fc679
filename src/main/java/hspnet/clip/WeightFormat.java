package hspnet.clip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import hspnet.io.SafetensorsReader;
import hspnet.io.TorchScriptReader;

/** The file formats CLIP weights are read from, recognised by content, not by file name. */
public enum WeightFormat {
  /** {@code torch.jit.save} zip archive: OpenAI's released {@code RN50.pt}, {@code ViT-B-32.pt}, … */
  TORCHSCRIPT,
  /** {@code torch.save(model.state_dict())} zip archive. */
  TORCH_SAVE,
  /** {@code .safetensors}. */
  SAFETENSORS;

  /**
   * @throws IllegalArgumentException naming the file when it is missing, truncated, or none of the formats
   */
  public static WeightFormat detect(Path file) throws IOException {
    if (!Files.exists(file)) throw new IllegalArgumentException(file + ": no such file");
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": not a regular file");
    long size = Files.size(file);
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(16);
    }
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
      return zipKind(file);
    if (SafetensorsReader.looksLikeSafetensors(head, size)) return SAFETENSORS;
    if (head.length > 0 && (head[0] & 0xff) == 0x80)
      throw new IllegalArgumentException(file + ": a bare pickle (the legacy torch.save format of PyTorch < 1.6);"
          + " re-save it with a current torch.save, or use the TorchScript or safetensors file");
    throw new IllegalArgumentException(file + ": not CLIP weights (" + size + " bytes; neither a TorchScript archive,"
        + " a torch.save zip archive nor a safetensors file)");
  }

  /** TorchScript archives carry compiled code and constants beside data.pkl; torch.save zips do not. */
  private static WeightFormat zipKind(Path file) throws IOException {
    return TorchScriptReader.isTorchScript(file) ? TORCHSCRIPT : TORCH_SAVE;
  }
}
