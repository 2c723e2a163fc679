package hspnet.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import hspnet.data.LabelList.Sample;

/**
 * A COCO instances file ({@code annotations/instances_val2014.json}) as the original reads it
 * through pycocotools: the labels are the categories in the file's order, their groups the
 * categories' {@code supercategory} in order of first appearance (COCO 2014: 80 labels, 12
 * groups), and the images are those with at least one annotation (crowd annotations count), in
 * the order of their first annotation, each with the categories of its annotations.
 *
 * <p>The file is streamed (Jackson's token parser), so the 160 MB of polygons are skipped instead
 * of being held as a tree.
 */
public record CocoAnnotations(LabelSet labels, List<Sample> images) {
  public CocoAnnotations {
    images = List.copyOf(images);
  }

  public static CocoAnnotations read(Path json) {
    if (!Files.isRegularFile(json)) throw new IllegalArgumentException(json + ": no such COCO annotation file");
    Reader r = new Reader(json);
    try (JsonParser p = new JsonFactory().createParser(json.toFile())) {
      r.document(p);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(json + ":" + e.getLocation().getLineNr() + ": malformed JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(json + ": cannot read: " + e.getMessage(), e);
    }
    return r.result();
  }

  private static final class Reader {
    final Path json;
    final List<String> names = new ArrayList<>();
    final List<String> supers = new ArrayList<>();
    final Map<Long, Integer> classOfCategory = new HashMap<>();
    final Map<Long, String> fileOfImage = new HashMap<>();
    /** image id -> its classes, in the order of each image's first annotation. */
    final Map<Long, TreeSet<Integer>> classesOfImage = new LinkedHashMap<>();
    /** Annotations whose category was not yet known (a file listing annotations before categories). */
    final List<long[]> pending = new ArrayList<>();
    boolean sawCategories, sawImages, sawAnnotations;

    Reader(Path json) {
      this.json = json;
    }

    void document(JsonParser p) throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) throw error(p, "expected a JSON object at the top");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "categories" -> objects(p, t, field, this::category);
          case "images" -> objects(p, t, field, this::image);
          case "annotations" -> objects(p, t, field, this::annotation);
          default -> p.skipChildren();
        }
      }
    }

    private interface ObjectReader {
      void read(JsonParser p) throws IOException;
    }

    private void objects(JsonParser p, JsonToken t, String field, ObjectReader each) throws IOException {
      if (t != JsonToken.START_ARRAY) throw error(p, "'" + field + "' must be an array");
      JsonToken next;
      while ((next = p.nextToken()) == JsonToken.START_OBJECT) each.read(p);
      if (next != JsonToken.END_ARRAY) throw error(p, "'" + field + "' must hold only objects");
      switch (field) {
        case "categories" -> sawCategories = true;
        case "images" -> sawImages = true;
        default -> sawAnnotations = true;
      }
    }

    /** The fields of one flat object; nested values are skipped. */
    private Map<String, Object> object(JsonParser p) throws IOException {
      Map<String, Object> m = new HashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (v) {
          case VALUE_NUMBER_INT -> m.put(name, p.getLongValue());
          case VALUE_STRING -> m.put(name, p.getText());
          default -> p.skipChildren();
        }
      }
      return m;
    }

    private void category(JsonParser p) throws IOException {
      int line = line(p);
      Map<String, Object> m = object(p);
      long id = id(m, "id", "category", line);
      String name = text(m, "name", "category " + id, line);
      String sup = text(m, "supercategory", "category " + id, line);
      if (classOfCategory.putIfAbsent(id, names.size()) != null)
        throw new IllegalArgumentException(json + ":" + line + ": category id " + id + " appears twice");
      names.add(name);
      supers.add(sup);
    }

    private void image(JsonParser p) throws IOException {
      int line = line(p);
      Map<String, Object> m = object(p);
      long id = id(m, "id", "image", line);
      String file = text(m, "file_name", "image " + id, line);
      if (fileOfImage.putIfAbsent(id, file) != null)
        throw new IllegalArgumentException(json + ":" + line + ": image id " + id + " appears twice");
    }

    private void annotation(JsonParser p) throws IOException {
      int line = line(p);
      Map<String, Object> m = object(p);
      long image = id(m, "image_id", "annotation", line);
      long category = id(m, "category_id", "annotation", line);
      classesOfImage.computeIfAbsent(image, k -> new TreeSet<>());
      pending.add(new long[] {image, category, line});
    }

    CocoAnnotations result() {
      if (!sawCategories) throw new IllegalArgumentException(json + ": no 'categories' array (is this a COCO instances file?)");
      if (!sawImages) throw new IllegalArgumentException(json + ": no 'images' array");
      if (!sawAnnotations) throw new IllegalArgumentException(json + ": no 'annotations' array");
      if (names.isEmpty()) throw new IllegalArgumentException(json + ": 'categories' is empty");
      for (long[] a : pending) {
        Integer c = classOfCategory.get(a[1]);
        if (c == null)
          throw new IllegalArgumentException(json + ":" + a[2] + ": annotation of image " + a[0] + " has category_id " + a[1]
              + ", which is not in 'categories'");
        classesOfImage.get(a[0]).add(c);
      }
      List<String> groups = new ArrayList<>();
      int[] groupOf = new int[names.size()];
      for (int c = 0; c < names.size(); c++) {
        int g = groups.indexOf(supers.get(c));
        if (g < 0) {
          g = groups.size();
          groups.add(supers.get(c));
        }
        groupOf[c] = g;
      }
      LabelSet labels;
      try {
        labels = new LabelSet(names, groups, groupOf);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(json + ": categories: " + e.getMessage(), e);
      }
      List<Sample> images = new ArrayList<>(classesOfImage.size());
      for (Map.Entry<Long, TreeSet<Integer>> e : classesOfImage.entrySet()) {
        String file = fileOfImage.get(e.getKey());
        if (file == null)
          throw new IllegalArgumentException(json + ": annotations refer to image id " + e.getKey() + ", which is not in 'images'");
        int[] classes = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        images.add(new Sample(file, classes, json + " (image id " + e.getKey() + ")"));
      }
      if (images.isEmpty()) throw new IllegalArgumentException(json + ": no image has an annotation");
      return new CocoAnnotations(labels, images);
    }

    private long id(Map<String, Object> m, String key, String what, int line) {
      if (!(m.get(key) instanceof Long v))
        throw new IllegalArgumentException(json + ":" + line + ": " + what + " without an integer '" + key + "'");
      return v;
    }

    private String text(Map<String, Object> m, String key, String what, int line) {
      if (!(m.get(key) instanceof String v) || v.isBlank())
        throw new IllegalArgumentException(json + ":" + line + ": " + what + " without a '" + key + "'");
      return v;
    }

    private static int line(JsonParser p) {
      return p.currentTokenLocation().getLineNr();
    }

    private IllegalArgumentException error(JsonParser p, String message) {
      return new IllegalArgumentException(json + ":" + line(p) + ": " + message);
    }
  }
}
