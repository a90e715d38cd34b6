package diagnose

// The remedy rows of what users meet on the path (contract v5, "Diagnosis v5"), beside their
// rules; remedies.go joins them to the one table every lookup reads.
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
	ProxyParentUnreachable: {
		Meaning: "the proxy's failure page names an internal address it could not connect to, while the destination has only public ones: the parent proxy it forwards through (`autoops.probe.proxy.parent`)",
		Brief:   "mend the parent proxy, or the first proxy's forwarding to it; the allow-list is not involved",
		Guide:   "Contract v5, Diagnosis v5: proxy_parent_unreachable; tests 2-3, 'configure your HTTP proxy'",
		Cluster: "The proxy forwards through a parent proxy (privoxy's forward, squid's cache_peer) and could not connect to it: the parent named in the evidence is down or unreachable from the proxy. Have the proxy's administrator mend the parent or the first proxy's forwarding rule; if the cluster is internal, NO_PROXY lets the agent reach it without either. The destination and the allow-list are not involved: nothing reached them.",
		Cloud:   "The proxy forwards through a parent proxy (privoxy's forward, squid's cache_peer) and could not connect to it: the parent named in the evidence is down or unreachable from the proxy. Have the proxy's administrator mend the parent or the first proxy's forwarding rule. Elastic Cloud and the allow-list are not involved: nothing reached them.",
	},
	RequestBodyTooLarge: {
		Meaning: "with `otlp.check_batch_size`, a POST that size (incompressible, labelled gzip, no credentials) got 413 or was cut while sent, from something that is not the intake, while the small POST got the intake's answer (`autoops.probe.request.body_size`)",
		Brief:   "raise that box's body limit for the intake's URL above the agent's batch size (up to 4 MiB), or exempt the intake",
		Guide:   "Contract v5, Diagnosis v5: request_body_too_large; autoops-facts: the exporter's batches (1-4 MiB, gzip) and its 413",
		Cloud: "A proxy, gateway or firewall between this machine and the intake refuses request bodies of this size (its answer or cut is quoted above; the intake answered the small POST). " +
			"The agent's exporter batches 1 to 4 MiB before gzip (agents 9.1.6 and later) and drops a batch refused with 413 without retrying: every batch that does not compress below that box's limit is lost to AutoOps. " +
			"Raise that box's body limit for the intake's URL above 4 MiB (nginx: client_max_body_size 8m in the server or location for the intake), or exempt the intake from it.",
	},
	ConnectionClosedIdle: {
		Meaning:    "closed without an answer after the same N s of silence in consecutive runs, below the probe's timeout: an idle timeout in the path shorter than the answer",
		Brief:      "raise that idle timeout (a load balancer's, a proxy's), or find why the answer is slow",
		Guide:      "Contract v5, Diagnosis v5: connection_closed_idle; Test 1, row 'endpoint URL incorrect/not reachable'",
		CloudGuide: "Contract v5, Diagnosis v5: connection_closed_idle; tests 2-3",
		Cluster: "A load balancer, proxy or firewall between this machine and Elasticsearch closes connections that stay silent as long as the evidence says (haproxy's timeout server or timeout client, a cloud load balancer's idle timeout), and Elasticsearch took longer to answer. " +
			"Raise that idle timeout above the slowest answer the agent waits for (its requests time out after 10 s unless the module sets timeout), or find why the cluster answers so slowly (GET _cluster/health, the nodes' load).",
		Cloud: "A proxy, load balancer or firewall between this machine and Elastic Cloud closes connections that stay silent as long as the evidence says, and the answer took longer. " +
			"Raise that idle timeout above 30 s (the agent's exporter waits that long), or find what holds the answer.",
	},
}
