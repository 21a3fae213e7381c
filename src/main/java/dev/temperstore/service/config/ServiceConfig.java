package dev.temperstore.service.config;

import dev.temperstore.config.StoreConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * The service's configuration: the store's keys ({@link StoreConfig}) and those only the service reads, the
 * operator's HTTP port, the TCP bridge, the cluster and the embedded PostgreSQL. Read by {@link ServiceConfigLoader}
 * from the sources the library reads. One mapping of every {@code temper.*} key, so that a key neither knows is
 * refused; the library alone leaves these sections to the service.
 *
 * <p>{@code conf/application.properties} and the README's configuration table show each key with its default;
 * ConfigurationDocsTest holds both to this mapping and {@link StoreConfig}.
 */
@ConfigMapping(prefix = "temper")
public interface ServiceConfig extends StoreConfig {

  Http http();

  Bridge bridge();

  Cluster cluster();

  Embedded embedded();

  interface Http {

    /** Serve liveness, readiness and Prometheus metrics over HTTP (serve only). */
    @WithDefault("true")
    boolean enabled();

    /** Where the operator's port listens: all interfaces by default, so that probes from outside can reach it. */
    @WithDefault("0.0.0.0")
    String host();

    /** The operator's port: /health/live, /health/ready, /metrics. */
    @WithDefault("8081")
    int port();
  }

  interface Bridge {

    /** Serve the store to other languages over the TCP event-bus bridge protocol (serve only). */
    @WithDefault("false")
    boolean enabled();

    /** Loopback unless other hosts must reach it; any other host requires {@link #auth()}. */
    @WithDefault("127.0.0.1")
    String host();

    @WithDefault("7000")
    int port();

    /** Forward secret get, the one operation that returns plaintext, to bridge clients. */
    @WithDefault("false")
    boolean allowSecretGet();

    /** The largest frame accepted, in bytes of JSON; a longer length prefix closes the connection at once. */
    @WithDefault("16777216")
    int maxFrameBytes();

    /** Requests of one connection awaiting their reply; at the limit the bridge stops reading it. */
    @WithDefault("256")
    int maxOutstandingPerConnection();

    /** A connection with nothing read or written for this long is closed. */
    @WithDefault("5m")
    Duration idleTimeout();

    /** Connections served at once; one more gets an err frame and is closed. */
    @WithDefault("1024")
    int maxConnections();

    /**
     * Bridge clients register subscription delivery addresses under it ({@code <prefix>.<tenant>.<name>}), and
     * subscriptions created through the bridge deliver there; it must not overlap {@code temper.bus.prefix}.
     */
    @WithDefault("temper.bridge.delivery")
    String deliveryPrefix();

    /** Delivery addresses one connection may register. */
    @WithDefault("16")
    int maxRegistrationsPerConnection();

    /** Deliveries forwarded to one connection and not yet answered; one more is failed and delivered again later. */
    @WithDefault("64")
    int maxDeliveriesPerConnection();

    /** A PKCS#12 keystore (.p12) with the bridge's key and certificate: when set, the port speaks TLS only. */
    Optional<String> tlsKeystore();

    /** The keystore's password. */
    Optional<String> tlsKeystorePassword();

    Auth auth();

    /** JWT bearer tokens, required on every request when a secret or a public key is set. */
    interface Auth {

      /** HS256 shared secret, at least 32 bytes; also what {@code issue-token} signs with. */
      Optional<String> jwtSecret();

      /** A public key in PEM (the text, or the path of a file holding it), for tokens signed elsewhere. */
      Optional<String> jwtPublicKey();

      /** The algorithm of tokens signed with that key: RS, ES or PS with 256, 384 or 512. */
      @WithDefault("RS256")
      String jwtPublicKeyAlgorithm();

      /** The {@code iss} every token must carry, when set. */
      Optional<String> issuer();

      /** The {@code aud} every token must name, when set. */
      Optional<String> audience();

      /**
       * The longest a token may be valid, from its {@code iat} (or from now, without one) to its {@code exp}; a
       * token without {@code exp} is refused. {@code issue-token --ttl} may not ask for more.
       */
      @WithDefault("720h")
      Duration maxTokenLifetime();

      /**
       * How often the bridge reads the revoked tokens anyway; a revocation is notified to every bridge at once, so
       * this bounds how late one that missed the notification refuses a revoked token.
       */
      @WithDefault("5s")
      Duration revocationRefresh();
    }
  }

  interface Cluster {

    /** Join a Hazelcast cluster (also {@code serve --cluster}): the store's addresses reach every node. */
    @WithDefault("false")
    boolean enabled();

    /** Members only join a cluster of their own name. */
    @WithDefault("temper-store")
    String name();

    /** Where this node's event bus listens for other nodes. */
    @WithDefault("127.0.0.1")
    String host();

    /** The event bus port; 0 picks a free one. */
    @WithDefault("0")
    int port();

    /** The address other nodes should use, when it differs from the host (containers, NAT). */
    Optional<String> publicHost();

    /** Hazelcast's own port, the first tried (it counts up while taken). */
    @WithDefault("5701")
    int hazelcastPort();

    /** Hosts to find other members on, comma-separated (host or host:port). */
    @WithDefault("127.0.0.1")
    String members();

    /**
     * A PKCS#12 keystore (.p12) holding this node's key and certificate, and trusted as the certificate of every
     * node: when set, event-bus traffic between nodes uses TLS, and every node and client must have it.
     */
    Optional<String> tlsKeystore();

    /** The keystore's password. */
    Optional<String> tlsKeystorePassword();
  }

  interface Embedded {

    /** Where the embedded PostgreSQL keeps its data; kept across restarts. */
    @WithDefault("data/postgres")
    String dataDir();

    /** Port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one (logged at start). */
    @WithDefault("0")
    int port();

    /** fsync and synchronous commit as PostgreSQL ships them; false trades a machine crash's last commits for speed. */
    @WithDefault("true")
    boolean durable();
  }
}
