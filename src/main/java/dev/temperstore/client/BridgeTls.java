package dev.temperstore.client;

import io.vertx.core.net.PfxOptions;

/** A PKCS#12 store for the TCP bridge: the bridge's key and certificate, or a client's trust store. */
public record BridgeTls(String keystore, String password) {

  public BridgeTls {
    if (keystore == null || keystore.isBlank()) {
      throw new IllegalArgumentException("the bridge's TLS keystore path must not be empty");
    }
    password = password == null ? "" : password;
  }

  public PfxOptions keyCert() {
    return new PfxOptions().setPath(keystore).setPassword(password);
  }

  @Override
  public String toString() {
    return "BridgeTls[keystore=" + keystore + "]"; // never the password
  }
}
