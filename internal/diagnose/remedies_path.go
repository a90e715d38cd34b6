package diagnose

import "maps"

// The remedy rows of what users meet on the path (contract v5, "Diagnosis v5"), kept apart
// from remedies.go so that rows added there in parallel merge cleanly; init adds them to the
// one table every lookup reads.
var pathRemedies = map[string]remedy{
	ProxyPortRefused: {
		Meaning: "the proxy refused CONNECT to the endpoint's port, and tunnels port 443 of the same host (squid's default `SSL_ports`)",
		Brief:   "use port 443 of the same deployment, have the port added to the proxy's `SSL_ports`, or `NO_PROXY`",
		Guide:   "Contract v5, Diagnosis v5: proxy_port_refused; autoops-facts: squid allows CONNECT only to port 443 (SSL_ports)",
		Cluster: "The proxy refuses tunnels to this port but opened one to port 443 of the same host: the host is allowed, the port is not (squid allows CONNECT only to the ports of its SSL_ports acl, 443 by default). " +
			"Use port 443 of the same deployment in cluster.endpoint (AUTOOPS_ES_URL) if Elasticsearch answers there (Elastic Cloud deployments answer on 443 as on 9243), " +
			"have the proxy's administrator add the port to SSL_ports (squid: acl SSL_ports port 9243), or add the cluster's host to NO_PROXY if it can be reached directly.",
		Cloud: "The proxy refuses tunnels to this port but opened one to port 443 of the same host: the host is allowed, the port is not (squid allows CONNECT only to the ports of its SSL_ports acl, 443 by default). " +
			"Elastic Cloud's endpoints answer on port 443: drop the port from the endpoint, or have the proxy's administrator add it to SSL_ports.",
	},
}

func init() { maps.Copy(remedies, pathRemedies) }
