package hspnet.testutil;

import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(NativeScope.class)}: every test method runs inside its own PointerScope, so
 * the native tensors it makes are freed when it ends instead of whenever the GC gets to them.
 */
public final class NativeScope implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NativeScope.class);

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("scope", new PointerScope());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    PointerScope scope = context.getStore(NS).remove("scope", PointerScope.class);
    if (scope != null) scope.close();
  }
}
