package dev.temperstore.service.bridge;

import io.vertx.core.net.PfxOptions;

/** TLS on the bridge port: a PKCS#12 keystore holding the bridge's key and certificate. */
public record BridgeTls(String keystore, String password) {

  public BridgeTls {
    if (keystore == null || keystore.isBlank()) {
      throw new IllegalArgumentException("the bridge's TLS keystore path must not be empty");
    }
    password = password == null ? "" : password;
  }

  PfxOptions keyCert() {
    return new PfxOptions().setPath(keystore).setPassword(password);
  }

  @Override
  public String toString() {
    return "BridgeTls[keystore=" + keystore + "]"; // never the password
  }
}
