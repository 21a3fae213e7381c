package dev.temperstore.service.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.temperstore.service.config.ServiceConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.List;

/**
 * A clustered Vert.x on Hazelcast, for store nodes ({@code serve --cluster}) and for client JVMs that call the
 * store with {@code StoreClient} over the clustered event bus. Members find each other by TCP/IP on the
 * configured hosts (multicast is off: it rarely crosses container networks), in a cluster of the configured name.
 * With a keystore configured, event-bus traffic between nodes is mutual TLS. (Hazelcast's own membership
 * traffic carries no store data and stays plain.)
 */
public final class Clustering {

  private Clustering() {
  }

  /** A clustered Vert.x configured by {@code temper.cluster.*}; {@code builder} may carry metrics already. */
  public static Future<Vertx> start(ServiceConfig.Cluster cluster, VertxBuilder builder, VertxOptions options) {
    EventBusOptions bus = options.getEventBusOptions().setHost(cluster.host()).setPort(cluster.port());
    cluster.publicHost().ifPresent(bus::setClusterPublicHost);
    cluster.tlsKeystore().ifPresent(keystore -> {
      // One store holds this node's key and is trusted for every node: mutual TLS between cluster members.
      PfxOptions store = new PfxOptions().setPath(keystore).setPassword(cluster.tlsKeystorePassword().orElse(""));
      bus.setSsl(true).setKeyCertOptions(store).setTrustOptions(store).setClientAuth(ClientAuth.REQUIRED);
    });
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcast(cluster))).buildClustered();
  }

  /** A client JVM's clustered Vert.x, configured like a store node's. */
  public static Future<Vertx> client(ServiceConfig.Cluster cluster) {
    return start(cluster, Vertx.builder(), new VertxOptions());
  }

  static Config hazelcast(ServiceConfig.Cluster cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig().setPort(cluster.hazelcastPort()).setPortAutoIncrement(true);
    cluster.publicHost().ifPresent(host -> config.getNetworkConfig().setPublicAddress(host));
    config.getNetworkConfig().getInterfaces().setEnabled(false);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    List<String> members = Arrays.stream(cluster.members().split(",")).map(String::strip)
        .filter(member -> !member.isEmpty()).toList();
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return config;
  }
}
