package dev.prefixrouter.proxy;

import dev.prefixrouter.fleet.ejection.OutlierDetector;
import dev.prefixrouter.observability.RouterMetrics;


/** What every forwarded request uses: the upstream client, the settings, and where outcomes are reported. */
record ProxyServices(UpstreamClient client, ProxyProperties properties, RouterMetrics metrics,
        OutlierDetector outliers) {
}
