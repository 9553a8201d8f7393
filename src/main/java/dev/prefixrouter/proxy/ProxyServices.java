package dev.prefixrouter.proxy;

import dev.prefixrouter.admission.AdmissionControl;
import dev.prefixrouter.fleet.ejection.OutlierDetector;
import dev.prefixrouter.lifecycle.DrainSignal;
import dev.prefixrouter.observability.RouterMetrics;


/**
 * What every forwarded request uses: the upstream client, the settings, where outcomes are reported, and the
 * admission control whose overload answer a request gets when no engine has a connection for it.
 */
record ProxyServices(UpstreamClient client, ProxyProperties properties, RouterMetrics metrics,
        OutlierDetector outliers, AdmissionControl admission, DrainSignal drain) {
}
