package hspnet.clip.tokenizer;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads the Hugging Face form of CLIP's vocabulary: {@code vocab.json} (token → id) and
 * {@code merges.txt} (an optional {@code #version} header line, then one "a b" merge per line in
 * rank order). Like the Hugging Face fast tokenizer, every merge must name tokens of the vocabulary
 * and produce one; the ids come from {@code vocab.json}, so the vocabulary size is its largest id
 * plus one.
 */
final class HuggingFaceBpeFiles {
  private HuggingFaceBpeFiles() {}

  static BpeVocabulary read(Path vocabJson, Path mergesTxt) {
    String vocabSource = "vocab file " + vocabJson;
    Map<String, Integer> idOfToken = readVocab(vocabJson, vocabSource);
    int maxId = -1;
    for (int id : idOfToken.values()) {
      maxId = Math.max(maxId, id);
    }

    String mergesSource = "merges file " + mergesTxt;
    List<String> lines = TextLines.utf8Lines(readBytes(mergesTxt, mergesSource), Integer.MAX_VALUE, mergesSource);
    int first = !lines.isEmpty() && lines.get(0).startsWith("#version") ? 1 : 0;
    int last = lines.size();
    while (last > first && lines.get(last - 1).isBlank()) {
      last--;
    }
    MergeTable.Builder merges = new MergeTable.Builder();
    for (int i = first; i < last; i++) {
      int lineNumber = i + 1;
      String[] pair = TextLines.mergePair(lines.get(i), lineNumber, mergesSource);
      String where = mergesSource + " line " + lineNumber + " ('" + pair[0] + " " + pair[1] + "')";
      merges.add(
          tokenId(idOfToken, pair[0], where, vocabSource),
          tokenId(idOfToken, pair[1], where, vocabSource),
          tokenId(idOfToken, pair[0] + pair[1], where, vocabSource));
    }
    return new BpeVocabulary(idOfToken, maxId + 1, merges.build(), vocabSource + " with " + mergesSource);
  }

  private static int tokenId(Map<String, Integer> idOfToken, String token, String where, String vocabSource) {
    Integer id = idOfToken.get(token);
    if (id == null) {
      throw new IllegalArgumentException(where + ": '" + token + "' is not a token of " + vocabSource);
    }
    return id;
  }

  private static Map<String, Integer> readVocab(Path file, String source) {
    JsonNode root;
    try {
      root = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
          .readTree(readBytes(file, source));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
      throw new IllegalArgumentException(source + " is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + source + ": " + e, e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + " must hold one JSON object mapping tokens to ids");
    }
    Map<String, Integer> idOfToken = new HashMap<>(root.size() * 2);
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode id = e.getValue();
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw new IllegalArgumentException(source + ": token '" + e.getKey()
            + "' must map to a non-negative integer id, not " + id);
      }
      idOfToken.put(e.getKey(), id.intValue());
    }
    return idOfToken;
  }

  private static byte[] readBytes(Path file, String source) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(source + " does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + source + ": " + e, e);
    }
  }
}
