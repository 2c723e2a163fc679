package hspnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import hspnet.data.LabelList.Sample;
import hspnet.io.Npy;
import hspnet.testutil.Shared;

public class CocoAnnotationsTest {
  @TempDir Path dir;

  /** COCO 2014's 80 categories as (id, name, supercategory), in the file's order (public facts). */
  static final String[][] COCO_CATEGORIES = {
      {"1", "person", "person"}, {"2", "bicycle", "vehicle"}, {"3", "car", "vehicle"}, {"4", "motorcycle", "vehicle"},
      {"5", "airplane", "vehicle"}, {"6", "bus", "vehicle"}, {"7", "train", "vehicle"}, {"8", "truck", "vehicle"},
      {"9", "boat", "vehicle"}, {"10", "traffic light", "outdoor"}, {"11", "fire hydrant", "outdoor"},
      {"13", "stop sign", "outdoor"}, {"14", "parking meter", "outdoor"}, {"15", "bench", "outdoor"},
      {"16", "bird", "animal"}, {"17", "cat", "animal"}, {"18", "dog", "animal"}, {"19", "horse", "animal"},
      {"20", "sheep", "animal"}, {"21", "cow", "animal"}, {"22", "elephant", "animal"}, {"23", "bear", "animal"},
      {"24", "zebra", "animal"}, {"25", "giraffe", "animal"}, {"27", "backpack", "accessory"},
      {"28", "umbrella", "accessory"}, {"31", "handbag", "accessory"}, {"32", "tie", "accessory"},
      {"33", "suitcase", "accessory"}, {"34", "frisbee", "sports"}, {"35", "skis", "sports"}, {"36", "snowboard", "sports"},
      {"37", "sports ball", "sports"}, {"38", "kite", "sports"}, {"39", "baseball bat", "sports"},
      {"40", "baseball glove", "sports"}, {"41", "skateboard", "sports"}, {"42", "surfboard", "sports"},
      {"43", "tennis racket", "sports"}, {"44", "bottle", "kitchen"}, {"46", "wine glass", "kitchen"},
      {"47", "cup", "kitchen"}, {"48", "fork", "kitchen"}, {"49", "knife", "kitchen"}, {"50", "spoon", "kitchen"},
      {"51", "bowl", "kitchen"}, {"52", "banana", "food"}, {"53", "apple", "food"}, {"54", "sandwich", "food"},
      {"55", "orange", "food"}, {"56", "broccoli", "food"}, {"57", "carrot", "food"}, {"58", "hot dog", "food"},
      {"59", "pizza", "food"}, {"60", "donut", "food"}, {"61", "cake", "food"}, {"62", "chair", "furniture"},
      {"63", "couch", "furniture"}, {"64", "potted plant", "furniture"}, {"65", "bed", "furniture"},
      {"67", "dining table", "furniture"}, {"70", "toilet", "furniture"}, {"72", "tv", "electronic"},
      {"73", "laptop", "electronic"}, {"74", "mouse", "electronic"}, {"75", "remote", "electronic"},
      {"76", "keyboard", "electronic"}, {"77", "cell phone", "electronic"}, {"78", "microwave", "appliance"},
      {"79", "oven", "appliance"}, {"80", "toaster", "appliance"}, {"81", "sink", "appliance"},
      {"82", "refrigerator", "appliance"}, {"84", "book", "indoor"}, {"85", "clock", "indoor"}, {"86", "vase", "indoor"},
      {"87", "scissors", "indoor"}, {"88", "teddy bear", "indoor"}, {"89", "hair drier", "indoor"},
      {"90", "toothbrush", "indoor"}};

  static String categoriesJson(String[][] cats) {
    List<String> items = new ArrayList<>();
    for (String[] c : cats)
      items.add("{\"supercategory\": \"" + c[2] + "\", \"id\": " + c[0] + ", \"name\": \"" + c[1] + "\"}");
    return "[" + String.join(",\n", items) + "]";
  }

  /** A tiny instances file in COCO's shape (info and licenses ignored, polygons skipped). */
  public static String tinyJson() {
    return """
        {"info": {"year": 2014, "description": "tiny"},
         "images": [
           {"license": 3, "file_name": "COCO_val2014_000000000042.jpg", "height": 480, "width": 640, "id": 42},
           {"license": 1, "file_name": "COCO_val2014_000000000073.jpg", "height": 480, "width": 640, "id": 73},
           {"license": 1, "file_name": "COCO_val2014_000000000074.jpg", "height": 480, "width": 640, "id": 74}],
         "licenses": [{"id": 1, "name": "x"}],
         "annotations": [
           {"segmentation": [[1.0, 2.0, 3.0, 4.0]], "area": 5.0, "iscrowd": 0, "image_id": 73, "bbox": [1, 2, 3, 4], "category_id": 18, "id": 1},
           {"segmentation": {"counts": [1, 2], "size": [480, 640]}, "area": 9.0, "iscrowd": 1, "image_id": 42, "bbox": [0, 0, 1, 1], "category_id": 1, "id": 2},
           {"segmentation": [[5.0, 6.0]], "area": 1.0, "iscrowd": 0, "image_id": 73, "bbox": [0, 0, 2, 2], "category_id": 2, "id": 3},
           {"segmentation": [[5.0, 6.0]], "area": 1.0, "iscrowd": 0, "image_id": 73, "bbox": [0, 0, 2, 2], "category_id": 18, "id": 4}],
         "categories": """ + categoriesJson(new String[][] {{"1", "person", "person"}, {"2", "bicycle", "vehicle"},
        {"18", "dog", "animal"}, {"3", "car", "vehicle"}}) + "}";
  }

  @Test
  void tinyFileGivesCategoriesGroupsAndAnnotatedImages() throws IOException {
    Path json = Files.writeString(dir.resolve("instances_val2014.json"), tinyJson());
    CocoAnnotations coco = CocoAnnotations.read(json);
    assertEquals(List.of("person", "bicycle", "dog", "car"), coco.labels().labels(), "file order, not id order");
    assertEquals(List.of("person", "vehicle", "animal"), coco.labels().groups(), "supercategories in order of first appearance");
    assertArrayEquals(new int[] {0, 1, 2, 1}, coco.labels().groupOf());
    List<Sample> images = coco.images();
    assertEquals(2, images.size(), "image 74 has no annotation");
    assertEquals("COCO_val2014_000000000073.jpg", images.get(0).path(), "order of first annotation, as pycocotools' imgToAnns");
    assertArrayEquals(new int[] {1, 2}, images.get(0).labels(), "dog (id 18) is class 2; duplicates merged");
    assertEquals("COCO_val2014_000000000042.jpg", images.get(1).path());
    assertArrayEquals(new int[] {0}, images.get(1).labels(), "crowd annotations count");
  }

  @Test
  void coco2014CategoriesGiveTheReleasedTwelveGroups() throws IOException {
    Path json = Files.writeString(dir.resolve("instances.json"), "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"}], "
        + "\"annotations\": [{\"image_id\": 1, \"category_id\": 90}], \"categories\": " + categoriesJson(COCO_CATEGORIES) + "}");
    LabelSet labels = CocoAnnotations.read(json).labels();
    assertEquals(80, labels.numClasses());
    List<String> groups = Files.readAllLines(Shared.referenceData("labels/super_labels.txt")).stream()
        .map(String::strip).filter(s -> !s.isEmpty()).toList();
    long[] index = Npy.read(Shared.referenceData("labels/super_labels_index.npy")).longs();
    assertEquals(groups, labels.groups());
    assertArrayEquals(Arrays.stream(index).mapToInt(Math::toIntExact).toArray(), labels.groupOf());
  }

  @Test
  void problemsAreNamed() throws IOException {
    Path json = dir.resolve("bad.json");
    Files.writeString(json, tinyJson().replace("\"category_id\": 2,", "\"category_id\": 12,"));
    String msg = assertThrows(IllegalArgumentException.class, () -> CocoAnnotations.read(json)).getMessage();
    assertTrue(msg.contains("bad.json:") && msg.contains("category_id 12"), msg);

    Files.writeString(json, "{\"images\": [], \"annotations\": []}");
    msg = assertThrows(IllegalArgumentException.class, () -> CocoAnnotations.read(json)).getMessage();
    assertTrue(msg.contains("no 'categories'"), msg);

    Files.writeString(json, "{\"images\": [\n{\"id\": 1,, }]}");
    msg = assertThrows(IllegalArgumentException.class, () -> CocoAnnotations.read(json)).getMessage();
    assertTrue(msg.contains("bad.json:2: malformed JSON"), msg);

    Files.writeString(json, tinyJson().replace("\"image_id\": 42,", "\"image_id\": 43,"));
    msg = assertThrows(IllegalArgumentException.class, () -> CocoAnnotations.read(json)).getMessage();
    assertTrue(msg.contains("image id 43"), msg);

    msg = assertThrows(IllegalArgumentException.class, () -> CocoAnnotations.read(dir.resolve("none.json"))).getMessage();
    assertTrue(msg.contains("none.json") && msg.contains("no such"), msg);
  }
}
