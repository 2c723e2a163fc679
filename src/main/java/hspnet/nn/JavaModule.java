package hspnet.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.pytorch.Module;

/**
 * Base of the project's modules. A module created from Java is a C++ module whose virtual calls
 * (train(), eval(), …) come back into its Java object; if that object is garbage-collected while
 * the C++ parent still holds the module, the next such call fails with a NullPointerException
 * (seen: model.eval() after the first epoch). Every child registered through {@link #child} is
 * therefore also kept reachable from its parent's Java object.
 */
public class JavaModule extends Module {
  private final Map<String, Module> children = new LinkedHashMap<>();

  /** Registers a child module and keeps it reachable as long as this module is. */
  protected final <M extends Module> M child(String name, M module) {
    M registered = register_module(name, module);
    children.put(name, module);
    return registered;
  }

  /**
   * The registered children as their Java objects (LibTorch hands back plain Modules, whose Java
   * type, e.g. LinearImpl, is lost), for code that treats layers by type as PyTorch's apply() does.
   */
  public final Map<String, Module> javaChildren() {
    return Collections.unmodifiableMap(children);
  }

  /** A plain container child (for nested names such as {@code attn.out_proj} or {@code layer1.0}). */
  protected final JavaModule container(String name) {
    return child(name, new JavaModule());
  }

  /** Registers a child under a container made by {@link #container}. */
  public final <M extends Module> M add(String name, M module) {
    return child(name, module);
  }
}
