package hspnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The image_decode key: cpu by default; gpu needs a CUDA device and no training augmentation. */
class ImageDecodeConfigTest {
  private static final Path DEMO = Path.of("configs", "hspnet+demo.yaml");

  @Test
  void cpuByDefaultAndGpuOnlyWhereItCanRun() {
    assertEquals(ImageDecode.CPU, ConfigLoader.load(DEMO).imageDecode());
    assertEquals(ImageDecode.GPU, ConfigLoader.load(DEMO, List.of("image_decode=gpu", "device=auto")).imageDecode());
    ConfigException cpu = assertThrows(ConfigException.class, () -> ConfigLoader.load(DEMO, List.of("image_decode=gpu", "device=cpu")));
    assertTrue(cpu.getMessage().contains("key 'image_decode': gpu decodes on the CUDA device and device is cpu"), cpu.getMessage());
    ConfigException aug = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(DEMO, List.of("image_decode=gpu", "device=auto", "aug_hflip=true")));
    assertTrue(aug.getMessage().contains("gpu does not apply the training augmentations"), aug.getMessage());
    ConfigException word = assertThrows(ConfigException.class, () -> ConfigLoader.load(DEMO, List.of("image_decode=nvjpeg")));
    assertTrue(word.getMessage().contains("must be one of cpu, gpu"), word.getMessage());
  }
}
