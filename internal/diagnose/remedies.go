package diagnose

import (
	"maps"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
)

// Every error.type and warning of the contract, each with its remedy. Guide names the row
// or section of troubleshoot-firewalls.md (or autoops-facts.md) the remedy comes from, so the
// table can be reviewed against the guide row by row.
type remedy struct {
	// Meaning and Brief are the README's columns: what the value means, what to do in a few
	// words (TestREADMETables keeps the README's tables in step).
	Meaning, Brief string
	Guide          string
	// CloudGuide, when set, is the guide row for the cloud probes (Guide is the cluster's).
	CloudGuide string
	Cluster    string // remedy when the cluster probe (test 1) has this outcome
	Cloud      string // remedy for the registration and otlp probes (tests 2 and 3)
}

const allowList = "If the URL is right, your network team may need to allow-list it in the firewall (outbound port 443 to Elastic Cloud)."

var remedies = map[string]remedy{
	DNSNotFound: {
		Meaning: "the host name does not exist",
		Brief:   "fix the host name (for the intake, `region`/`csp`); where only a proxy resolves outside names, set `HTTPS_PROXY`",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; tests 2-3 'configure your HTTP proxy'",
		Cluster: "Check the host name in cluster.endpoint (AUTOOPS_ES_URL) for typos; from inside a container or pod, use a name that resolves there.",
		Cloud:   "Check the endpoint's host name for typos. If this machine resolves outside names only through a proxy, set HTTPS_PROXY or proxy_url.",
	},
	DNSError: {
		Meaning: "no resolver, or it timed out",
		Brief:   "check `/etc/resolv.conf` or the pod's DNS policy",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; tests 2-3",
		Cluster: "The resolver did not answer: check /etc/resolv.conf (or the pod's DNS policy) and that the DNS server is reachable.",
		Cloud:   "The resolver did not answer: check /etc/resolv.conf (or the pod's DNS policy). Where only a proxy can resolve outside names, set HTTPS_PROXY or proxy_url.",
	},
	ConnectionRefused: {
		Meaning: "reset: nothing listens, or a firewall rejects",
		Brief:   "check scheme and port (Elasticsearch default 9200); otherwise have the URL allow-listed",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'",
		Cluster: "Make sure the protocol (http or https) and the port are right: the default Elasticsearch port is 9200. If they are, a firewall rejects the connection: your network team may need to allow-list the URL.",
		Cloud:   "Nothing accepts connections there, or a firewall rejects them. " + allowList,
	},
	ConnectionTimeout: {
		Meaning: "no answer to the connection: a firewall drops packets",
		Brief:   "have the URL allow-listed (outbound 443 to Elastic Cloud), or use the proxy",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; tests 2-3 'configure your HTTP proxy'",
		Cluster: "A firewall drops the packets, or the host is down: check the address and port (default 9200), then ask your network team to allow-list the URL.",
		Cloud:   "A firewall silently drops the packets. " + allowList + " If outbound traffic must go through a proxy, set HTTPS_PROXY or proxy_url.",
	},
	NetworkUnreachable: {
		Meaning: "no route, ICMP unreachable",
		Brief:   "check routes and firewall rules",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'",
		Cluster: "There is no route to the cluster: check the address, the host's routes, and firewall rules that reject with ICMP unreachable.",
		Cloud:   "There is no route to Elastic Cloud: the host may have no default route, or a firewall rejects it. " + allowList,
	},
	ConnectionReset: {
		Meaning: "cut after connecting, before a response",
		Brief:   "look for a firewall, load balancer or proxy in between",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; tests 2-3",
		Cluster: "Something cut the connection before Elasticsearch answered: check for a firewall or load balancer in between, and that the port is Elasticsearch's.",
		Cloud:   "Something cut the connection before Elastic Cloud answered, often a firewall or a proxy. " + allowList,
	},
	ResponseTimeout: {
		Meaning: "connected and sent, no complete answer in time",
		Brief:   "check the server's health or the proxy; raise `timeout`",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; tests 2-3",
		Cluster: "The connection opened but no answer came in time: check the cluster's health and load, or raise cluster.timeout.",
		Cloud:   "The connection opened but no answer came in time, often a proxy or firewall holding the request. Check the proxy, or raise the probe's timeout.",
	},
	SchemeMismatch: {
		Meaning: "https to a plain-HTTP port, or http to a TLS port",
		Brief:   "use the scheme the port speaks",
		Guide:   "Test 1, row 'endpoint URL incorrect': 'Make sure you are using the correct protocol in the cluster URL: http or https'",
		Cluster: "Use the protocol the port speaks: https:// for a cluster with TLS on its HTTP layer, http:// otherwise.",
		Cloud:   "Elastic Cloud endpoints are https:// on port 443: fix the endpoint's scheme.",
	},
	TLSUnknownAuthority: {
		Meaning: "the cluster's certificate does not chain to a trusted CA",
		Brief:   "set `cluster.tls.ca_file` (the agent's `AUTOOPS_ES_CA`)",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'",
		Cluster: "The cluster's certificate is signed by a CA the collector does not trust: set cluster.tls.ca_file to that CA (the agent's AUTOOPS_ES_CA). Only to confirm, curl --insecure should then work; do not disable verification in production.",
		Cloud:   "The certificate does not chain to a trusted CA: set tls.ca_file to the CA that signs it.",
	},
	TLSHostnameMismatch: {
		Meaning: "the certificate is not valid for the host name",
		Brief:   "use a name in the certificate, or `tls.server_name_override`",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'",
		Cluster: "The certificate is not valid for this host name: use a name listed in the certificate in cluster.endpoint, or set cluster.tls.server_name_override.",
		Cloud:   "The certificate is not valid for the Elastic Cloud host name, which suggests something in the path answers in its place: check for TLS inspection or a wrong endpoint.",
	},
	TLSCertificateExpired: {
		Meaning: "expired or not yet valid",
		Brief:   "renew it; check clocks",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'",
		Cluster: "The cluster's certificate is expired or not yet valid: renew it (and check the clocks of both machines).",
		Cloud:   "The certificate presented is expired or not yet valid: check this machine's clock, and for TLS inspection in the path.",
	},
	TLSIntercepted: {
		Meaning: "a cloud endpoint's certificate does not chain to the trusted roots: TLS inspection",
		Brief:   "exempt the Elastic Cloud URLs from inspection, or set `tls.ca_file` to the inspecting CA; the log says when the machine has no CA bundle at all",
		Guide:   "Tests 2-3, 'configure your HTTP proxy to allow it to reach the URL'",
		Cloud:   "A TLS-inspecting proxy or firewall re-signs the connection. Ask your network team to exempt the Elastic Cloud URLs from TLS inspection, or set tls.ca_file to the inspecting CA.",
		Cluster: "The certificate does not chain to a trusted CA: set cluster.tls.ca_file (AUTOOPS_ES_CA).",
	},
	TLSHandshakeFailed: {
		Meaning: "any other TLS failure",
		Brief:   "check TLS versions and client certificates",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; tests 2-3",
		Cluster: "The TLS handshake failed: check the TLS versions and client certificate settings (cluster.tls.min_version, cert_file, key_file) against the cluster's.",
		Cloud:   "The TLS handshake failed, often because a firewall or proxy interferes with TLS: ask your network team to exempt the Elastic Cloud URLs from it, or to upgrade it. Lowering tls.min_version would not help: the agent keeps its own minimum, so the probe would pass where the agent fails.",
	},
	ProxyUnreachable: {
		Meaning: "the proxy itself cannot be reached",
		Brief:   "fix `proxy_url`/`HTTPS_PROXY`; for an internal cluster, `NO_PROXY`",
		Guide:   "Tests 2-3 note: 'configure HTTP_PROXY, HTTPS_PROXY and NO_PROXY'",
		Cluster: "The proxy itself could not be reached: check proxy_url or HTTP(S)_PROXY. If the cluster should be reached directly, add it to NO_PROXY.",
		Cloud:   "The proxy itself could not be reached: check the host and port in proxy_url or HTTPS_PROXY.",
	},
	ProxyAuthRequired: {
		Meaning: "the proxy answered 407",
		Brief:   "put credentials in the proxy URL",
		Guide:   "Tests 2-3, 'configure your HTTP proxy'",
		Cluster: "The proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port), or add the cluster to NO_PROXY if it should be reached directly.",
		Cloud:   "The proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port) of proxy_url or HTTPS_PROXY.",
	},
	ProxyBlocked: {
		Meaning: "the proxy refused the destination",
		Brief:   "have it allow the URL; for the cluster, add it to `NO_PROXY`",
		Guide:   "Test 1, row 'A proxy is blocking communication'; tests 2-3 'configure your HTTP proxy to allow it to reach the URL'",
		Cluster: "The proxy refuses the cluster: add the cluster's host to NO_PROXY (the guide's fix), or have the proxy allow it.",
		Cloud:   "The proxy refuses this destination: ask for it to allow POST to the Elastic Cloud URL (with headers and a JSON body).",
	},
	ProxyUpstreamError: {
		Meaning: "the proxy could not reach the destination (5xx)",
		Brief:   "check the proxy's own route out",
		Guide:   "Tests 2-3, 'configure your HTTP proxy to allow it to reach the URL'",
		Cluster: "The proxy failed to forward the request (its own words are quoted above): add the cluster's host to NO_PROXY if it is internal, or check the proxy's own route and any parent proxy it forwards through.",
		Cloud:   "The proxy failed to forward the request (its own words are quoted above): check the proxy's own outbound access to port 443, and any parent proxy it forwards through.",
	},
	AuthFailed: {
		Meaning: "401 from Elasticsearch with credentials",
		Brief:   "recheck for typos; agents 9.1.0–9.1.3 need the decoded `id:api_key` form",
		Guide:   "Test 1, rows 'Your API key is incorrect' and 'Your username or password is incorrect'",
		Cluster: "Elasticsearch rejected the credentials: recheck for typos. An API key may be given as id:api_key or base64-encoded; agents 9.1.0 to 9.1.3 need the decoded id:api_key form (echo $AUTOOPS_ES_API_KEY | base64 -d). " + rootExitNote,
	},
	AuthMissing: {
		Meaning: "401 from Elasticsearch, no credentials configured",
		Brief:   "set `api_key` or `username`/`password` (one kind)",
		Guide:   "Test 1, tab 'API key' / 'Basic'",
		Cluster: "The cluster requires credentials: set cluster.api_key (AUTOOPS_ES_API_KEY) or cluster.username and cluster.password, one kind only. " + rootExitNote,
	},
	AuthHeaderStripped: {
		Meaning: "401 from Elasticsearch saying `missing authentication credentials` although the probe sent `Authorization`: a gateway or proxy in front removed the header",
		Brief:   "let the gateway pass `Authorization` to Elasticsearch; the credentials are not wrong",
		Guide:   "Contract v5, Diagnosis v5: auth_header_stripped",
		Cluster: "Elasticsearch never saw the credentials: a reverse proxy, load balancer or API gateway in front of it removes the Authorization header (haproxy's http-request del-header, nginx's proxy_set_header Authorization \"\"). Configure it to pass Authorization through to Elasticsearch. The credentials are not wrong: do not change them. " + rootExitNote,
	},
	InsufficientPrivileges: {
		Meaning: "403 from Elasticsearch, or AutoOps privileges missing (the log names them)",
		Brief:   "create the role the log and the one-shot report give (`autoops.probe.role_definition`: only what is missing, ready to paste as `POST /_security/role/autoops_missing_privileges {...}`) and add it to the user or key",
		Guide:   "Test 1, row 'Your username or password is incorrect': 'ensure that your provided user has the necessary privileges'",
		Cluster: "Give the user a role with cluster privileges monitor, read_ilm, read_slm, and on indices * the privileges monitor and view_index_metadata with allow_restricted_indices: true.",
	},
	UnsupportedVersion: {
		Meaning: "Elasticsearch older than 7.17.0",
		Brief:   "upgrade",
		Guide:   "autoops-facts: 'Elasticsearch 7.17.0 or newer'",
		Cluster: "AutoOps needs Elasticsearch 7.17.0 or newer: upgrade the cluster.",
	},
	LicenseInactive: {
		Meaning: "license status not `active`",
		Brief:   "renew the license",
		Guide:   "autoops-facts: 'license status active (GET /_license)'",
		Cluster: "The cluster's license is not active: renew or reinstall it (GET /_license shows its status).",
	},
	ContainerNetworkIsolation: {
		Meaning: "a localhost endpoint refused from inside a container",
		Brief:   "`docker run --network host`, or an address the container can reach",
		Guide:   "Test 1, row 'local development cluster using Docker without --network host'",
		Cluster: "Run the collector with docker run --network host (replace 'docker run -d \\' with 'docker run -d --network host \\'), or point cluster.endpoint at an address the container can reach.",
	},
	UnexpectedStatus: {
		Meaning: "a status the probe does not expect (a 3xx's `Location` is logged)",
		Brief:   "check the URL and what answers in its place",
		Guide:   "Tests 2-3: 'The command should return an HTTP 401 response'",
		Cluster: "Elasticsearch answered with a status AutoOps does not expect: check that cluster.endpoint is the cluster's root URL and the cluster's health.",
		Cloud:   "Something answered with a status Elastic Cloud does not send here: check the endpoint URL, and whether a proxy or gateway answers in its place.",
	},
	UnexpectedResponse: {
		Meaning: "the right status, the wrong body: a proxy or portal answered",
		Brief:   "let the request through to Elastic Cloud",
		Guide:   "Tests 2-3: the expected body ('Invalid credential headers' / 'no auth provided')",
		Cluster: "Something that is not Elasticsearch answered: check that cluster.endpoint points at the cluster, and for a proxy or load balancer answering in its place.",
		Cloud:   "The status was right but the body was not Elastic Cloud's: a proxy, captive portal or gateway answered. Configure the proxy to let the request through to Elastic Cloud.",
	},
	NotElasticsearch: {
		Meaning: "the cluster URL answered, but not as Elasticsearch: Kibana (`kbn-*` headers, its redirect), OpenSearch (`version.distribution`), the transport port 9300 (`This is not an HTTP port`), or a web server, reverse proxy or WAF page; judged before any auth, privilege or version verdict; `autoops.probe.answered_by` says which",
		Brief:   "point `cluster.endpoint` at Elasticsearch's HTTP port (9200)",
		Guide:   "Test 1, row 'endpoint URL incorrect': 'Make sure you are providing the correct port. The default port is 9200'; autoops-facts, field facts",
		Cluster: "Point cluster.endpoint (AUTOOPS_ES_URL) at Elasticsearch's HTTP port (9200 by default), not at Kibana, OpenSearch, the transport port 9300, or a web server, reverse proxy or WAF in front of it; if a gateway must stay in between, have it pass requests through to Elasticsearch unchanged.",
	},
	TLSBlocked: {
		Meaning: "the TLS handshake naming the host is cut or unanswered, while one naming no host gets the server's reply: a firewall filters by SNI",
		Brief:   "have the host name allow-listed in that firewall",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable': 'your network team might need to open the firewall to allow-list this URL'; tests 2-3",
		Cluster: "A firewall filters TLS by the server name (SNI) the collector sends: ask your network team to allow-list the cluster's host name in that firewall.",
		Cloud:   "A firewall filters TLS by the server name (SNI) the collector sends: ask your network team to allow-list the Elastic Cloud host name (outbound port 443), or route it through the proxy that is allowed to reach it.",
	},
	PathMTUBlackhole: {
		Meaning: "the handshake stalls, while the same one with 536-byte segments completes: a link drops packets too big for it",
		Brief:   "allow ICMP \"fragmentation needed\" or clamp the MSS on the VPN/tunnel",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; tests 2-3: the path, not the URL",
		Cluster: "Large packets from the cluster never arrive while small ones do: a link with a smaller MTU drops them and the ICMP 'fragmentation needed' messages are blocked. Ask your network team to allow ICMP type 3 code 4, or clamp the TCP MSS on the VPN or tunnel in between.",
		Cloud:   "Large packets from Elastic Cloud never arrive while small ones do: a link with a smaller MTU (VPN, tunnel, overlay network) drops them and ICMP 'fragmentation needed' is blocked. Ask your network team to allow ICMP type 3 code 4, or clamp the TCP MSS on that link.",
	},
	DNSBlocked: {
		Meaning: "a public Elastic Cloud name resolved to `0.0.0.0`, `127.0.0.0/8`, `::` or `::1`, and Elastic did not answer: a DNS filter or sinkhole",
		Brief:   "have the name allowed in the DNS filter",
		Guide:   "Tests 2-3, 'configure your HTTP proxy to allow it to reach the URL'; the firewall allow-list of the setup",
		Cluster: "The cluster's name resolves to an unspecified or loopback address: a DNS filter answers for it. Have the DNS filter allow the name, or use an address the collector can reach.",
		Cloud:   "A DNS filter or sinkhole answers the Elastic Cloud name with an unspecified or loopback address: ask your network team to allow the name in the DNS filter (or its category), or send the traffic through the proxy that resolves it.",
	},
	DNSSearchDomain: {
		Meaning: "the name went through a `resolv.conf` search suffix (`ndots`) to an address the rooted name does not have; the log names the suffix and both addresses",
		Brief:   "end the host name with a dot, lower `ndots`, or remove the wildcard record",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; tests 2-3",
		Cluster: "The name went through a search domain of resolv.conf to another address: end the host name with a dot (es.example.com.), or lower ndots (Kubernetes pods use ndots:5), or remove the search domain's wildcard record.",
		Cloud:   "The Elastic Cloud name went through a search domain of resolv.conf to another address: end the host name with a dot in the endpoint (api.elastic-cloud.com.), lower ndots in the pod's dnsConfig (Kubernetes uses ndots:5), or have the wildcard record of that search domain removed.",
	},
	ClockSkew: {
		Meaning: "a certificate refused as expired or not yet valid that the server's own clock (its `Date`, read without credentials) puts inside its validity",
		Brief:   "fix this machine's clock (NTP)",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; autoops-facts, field facts",
		Cluster: "This machine's clock is wrong: the server's own clock puts the certificate inside its validity. Fix the time (enable NTP, e.g. timedatectl set-ntp true), then the certificate verifies.",
		Cloud:   "This machine's clock is wrong: the server's own clock puts the certificate inside its validity. Fix the time (enable NTP, e.g. timedatectl set-ntp true); AutoOps data would otherwise be misdated too.",
	},
	ProxyAuthUnsupported: {
		Meaning: "the proxy answered 407 offering only NTLM or Negotiate",
		Brief:   "an exception for the collector's host, or a proxy port with Basic",
		Guide:   "Tests 2-3 note: 'configure HTTP_PROXY, HTTPS_PROXY and NO_PROXY'; autoops-facts, field facts",
		Cluster: "The proxy accepts only NTLM or Negotiate (Kerberos), which the collector cannot speak: have an exception made for the collector's host, use a proxy port that takes Basic credentials, or add the cluster to NO_PROXY.",
		Cloud:   "The proxy accepts only NTLM or Negotiate (Kerberos), which the collector cannot speak, so credentials in the proxy URL will not help: have the proxy exempt the collector's host or the Elastic Cloud URLs, or offer a port with Basic authentication.",
	},
	ProxySchemeMismatch: {
		Meaning: "`https://` proxy URL for a plain-HTTP proxy, or the reverse (confirmed by asking the proxy both ways)",
		Brief:   "`HTTPS_PROXY=http://proxy:port` for most proxies",
		Guide:   "Tests 2-3 note: 'configure HTTP_PROXY, HTTPS_PROXY and NO_PROXY'; autoops-facts, field facts",
		Cluster: "The proxy URL's scheme does not match what the proxy speaks: most proxies speak plain HTTP on their port, so write http://proxy:port even for HTTPS traffic (or https:// only for a proxy that really speaks TLS).",
		Cloud:   "The proxy URL's scheme does not match what the proxy speaks: most proxies speak plain HTTP on their port, so set HTTPS_PROXY=http://proxy:port (http://, even for HTTPS traffic), or https:// only for a proxy that really speaks TLS.",
	},
	TokenRejected: {
		Meaning: "the intake answered 401/403 (its JSON) to `otlp.token`",
		Brief:   "copy the token (`AUTOOPS_TOKEN`) again for this region",
		Guide:   "Test 3, with the agent's AUTOOPS_TOKEN (autoops-facts: Elastic's own connectivity check)",
		Cluster: "The AutoOps intake refused otlp.token: copy the token (AUTOOPS_TOKEN) again from the AutoOps installation wizard in Elastic Cloud, for this region.",
		Cloud:   "The AutoOps intake refused otlp.token: copy the token (AUTOOPS_TOKEN) again from the AutoOps installation wizard in Elastic Cloud, and check that AUTOOPS_OTEL_URL is the intake of the region the token belongs to.",
	},
	ProxyAuthRequired + remedySOCKS: {
		Guide:   "Tests 2-3 note: 'configure HTTP_PROXY, HTTPS_PROXY and NO_PROXY'; contract v3: SOCKS proxies",
		Cluster: "The SOCKS proxy wants a username and password, or refused the ones given: put the right ones in the proxy URL (socks5://user:password@proxy:1080), or add the cluster to NO_PROXY if it should be reached directly.",
		Cloud:   "The SOCKS proxy wants a username and password, or refused the ones given: put the right ones in the proxy URL (socks5://user:password@proxy:1080) of proxy_url or HTTPS_PROXY.",
	},
	ProxyAuthUnsupported + remedySOCKS: {
		Guide:   "Tests 2-3 note: 'configure HTTP_PROXY, HTTPS_PROXY and NO_PROXY'; contract v3: SOCKS proxies",
		Cluster: "The SOCKS proxy accepts only authentication methods the collector cannot speak (such as GSSAPI), so credentials in the proxy URL will not help: have the proxy accept no authentication or a username and password from the collector's host, or add the cluster to NO_PROXY.",
		Cloud:   "The SOCKS proxy accepts only authentication methods the collector cannot speak (such as GSSAPI), so credentials in the proxy URL will not help: have the proxy accept no authentication or a username and password from the collector's host, or use an HTTP proxy.",
	},
	remedyBasicAuth: {
		Guide:   "Test 1, row 'Your username or password is incorrect'",
		Cluster: "Elasticsearch rejected the username and password: recheck both for typos (cluster.username and cluster.password, or ELASTICSEARCH_READ_USERNAME / AUTOOPS_ES_USERNAME and their passwords), and that the user exists in a realm the cluster reads. " + rootExitNote,
	},
	TLSIncompleteChain: {
		Meaning: "the cluster sent only its own certificate, not the intermediate that leads to a trusted root (the leaf names where its issuer is published, or `tls.ca_file` lacks the issuer); the log names the missing issuer and what the CA file holds",
		Brief:   "have the server send its full chain (leaf then intermediates), or add the intermediate to `tls.ca_file`",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; contract v3: incomplete chains",
		Cluster: "The cluster sends its certificate without the intermediate CA certificate that links it to a trusted root: have Elasticsearch send its full chain (the file in xpack.security.http.ssl.certificate holds the leaf followed by its intermediates), or add the intermediate to cluster.tls.ca_file (for the agent: ssl.certificate_authorities on both autoops_es modules).",
		Cloud:   "The server sends its certificate without its intermediate CA certificate; Elastic Cloud's endpoints send their full chain, so something else presents this one: check for TLS inspection in the path, or add the intermediate to tls.ca_file.",
	},
	TLSClientCertificateRequired: {
		Meaning: "the server asked for a client certificate (mutual TLS) and none was configured, or it refused the one sent: an alert after its certificate request, or nginx's 400 \"No required SSL certificate was sent\"",
		Brief:   "set `tls.cert_file` and `tls.key_file` (for the agent: `ssl.certificate` and `ssl.key` on both `autoops_es` modules)",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; field facts: servers that require a client certificate",
		Cluster: "The cluster requires a client certificate (mutual TLS): set cluster.tls.cert_file and cluster.tls.key_file to a certificate and key its CA trusts (for the agent: ssl.certificate and ssl.key on both autoops_es modules).",
		Cloud:   "The server requires a client certificate, which Elastic Cloud's endpoints never ask for: a TLS-inspecting proxy or gateway in the path does. Have it exempt the Elastic Cloud URLs, or set tls.cert_file and tls.key_file to the certificate it expects.",
	},
	GatewayUpstreamError: {
		Meaning: "the cluster endpoint answered 502, 503 or 504 from a reverse proxy or load balancer, not Elasticsearch (no `X-Elastic-Product`, no Elasticsearch error JSON): reachable, but the cluster behind it is not; judged before `not_elasticsearch`",
		Brief:   "check the cluster behind the gateway and the gateway's upstream settings; the endpoint is right",
		Guide:   "Elastic's wizard errors HTTP_502, HTTP_503, HTTP_504; field facts: gateways' own pages",
		Cluster: "A reverse proxy or load balancer answers at cluster.endpoint but cannot reach the cluster behind it (the wizard's HTTP_502, HTTP_503, HTTP_504): check that the Elasticsearch nodes behind it are up and healthy, and the gateway's upstream settings (addresses, ports, health checks, timeouts). The endpoint itself is right.",
		Cloud:   "A gateway answered in Elastic Cloud's place with a 502, 503 or 504: check the proxy or gateway in the path; if it is Elastic's own, retry later.",
	},
	ElasticsearchUnavailable: {
		Meaning: "Elasticsearch itself answered that it cannot serve yet: 503 or 429 with its error JSON (`master_not_discovered_exception`, `cluster_block_exception`, `circuit_breaking_exception`, `es_rejected_execution_exception`...); the log quotes its type and reason",
		Brief:   "the cluster's health, not the network (the wizard's `CLUSTER_NOT_READY`)",
		Guide:   "Elastic's wizard error CLUSTER_NOT_READY; field facts: Elasticsearch's 503 and 429 bodies",
		Cluster: "Elasticsearch is up but cannot serve yet (the wizard's CLUSTER_NOT_READY): check GET _cluster/health and the master-eligible nodes' logs (a master not discovered, a cluster state not recovered), and for a 429 the nodes' heap and thread pools. The network is fine; the probe passes once the cluster does.",
		Cloud:   "The endpoint answered that it cannot serve yet: retry later; if it lasts, check the endpoint URL.",
	},
	remedyCNOnly: {
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; field facts: Go refuses Common Name host names",
		Cluster: "The certificate names the host only in its subject's Common Name: Go, and the AutoOps agent, accept host names only from subjectAltName. Reissue it with the host name (or IP) as a subjectAltName (elasticsearch-certutil does so with --dns or --ip); server_name_override cannot help.",
		Cloud:   "The certificate names the host only in its subject's Common Name, which Go refuses; Elastic Cloud's certificates carry subjectAltNames, so something else presents this one: check for TLS inspection in the path.",
	},
	InsufficientPrivileges + remedyRootExit: {
		Guide:   "Test 1, row 'Your username or password is incorrect': 'ensure that your provided user has the necessary privileges'; autoops-facts: the agent exits on 401, 403 or 404 from GET /",
		Cluster: "The credentials may not even read the cluster's root (GET /): give the user a role with cluster privileges monitor, read_ilm, read_slm, and on indices * the privileges monitor and view_index_metadata with allow_restricted_indices: true. " + rootExitNote,
	},
	UnexpectedStatus + remedyRootExit: {
		Guide:   "Tests 2-3: 'The command should return an HTTP 401 response'; autoops-facts: the agent exits on 401, 403 or 404 from GET /",
		Cluster: "Elasticsearch answered 404 to GET / of cluster.endpoint: the URL must be the cluster's root (no path, or the path prefix a proxy in front expects), so check cluster.endpoint (AUTOOPS_ES_URL). " + rootExitNote,
	},
	NotElasticsearch + remedyRootExit: {
		Guide:   "Test 1, row 'endpoint URL incorrect': 'Make sure you are providing the correct port. The default port is 9200'; autoops-facts: the agent exits on 401, 403 or 404 from GET /",
		Cluster: "Point cluster.endpoint (AUTOOPS_ES_URL) at Elasticsearch's HTTP port (9200 by default), not at Kibana, OpenSearch, the transport port 9300, or a web server, reverse proxy or WAF in front of it; if a gateway must stay in between, have it pass requests through to Elasticsearch unchanged. " + rootExitNote,
	},
	ProxyBlocked + remedyRootExit: {
		Guide:   "Test 1, row 'A proxy is blocking communication'; autoops-facts: the agent exits on 401, 403 or 404 from GET /",
		Cluster: "The proxy refuses the cluster: add the cluster's host to NO_PROXY (the guide's fix), or have the proxy allow it. " + rootExitNote,
	},
	remedyNotFormed: {
		Guide:   "Elastic's wizard error CLUSTER_NOT_READY; contract v4: cluster_uuid _na_ or empty in GET /",
		Cluster: "Elasticsearch answers, but its cluster has not formed (the wizard's CLUSTER_NOT_READY): no master has been elected, so the cluster has no UUID yet, and the agent retries until it has one. Check that the master-eligible nodes find each other (discovery.seed_hosts; cluster.initial_master_nodes only on a new cluster's first start), that a majority of them is up and can reach each other on the transport port (9300), and their logs for discovery and election failures. The network to the cluster's HTTP port is fine; the probe passes once a master is elected.",
	},
	ProxySchemeMismatch + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The proxy URL's scheme does not match what the proxy speaks: most proxies speak plain HTTP on their port, so set HTTPS_PROXY=http://proxy:port (http://, even for HTTPS traffic), or https:// only for a proxy that really speaks TLS. " + asAgentNote,
	},
	ProxyUnreachable + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The proxy itself could not be reached: check the host and port in HTTPS_PROXY (or https_proxy) where the agent runs. " + asAgentNote,
	},
	ProxyAuthRequired + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The proxy wants credentials: put them in HTTPS_PROXY (http://user:password@proxy:port) where the agent runs. " + asAgentNote,
	},
	ProxyAuthRequired + remedySOCKS + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The SOCKS proxy wants a username and password, or refused the ones given: put the right ones in HTTPS_PROXY (socks5://user:password@proxy:1080) where the agent runs. " + asAgentNote,
	},
	ProxyAuthUnsupported + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The proxy accepts only NTLM or Negotiate (Kerberos), which Go cannot speak, so credentials in the proxy URL will not help: have the proxy exempt this host or the Elastic Cloud URLs, or offer a port with Basic authentication and name it in HTTPS_PROXY. " + asAgentNote,
	},
	ProxyAuthUnsupported + remedySOCKS + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The SOCKS proxy accepts only authentication methods Go cannot speak (such as GSSAPI): have it accept no authentication or a username and password from this host, or name an HTTP proxy in HTTPS_PROXY. " + asAgentNote,
	},
	ProxyBlocked + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The proxy refuses this destination: ask for it to allow POST to the Elastic Cloud URL (with headers and a JSON body). " + asAgentNote,
	},
	ProxyUpstreamError + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The proxy failed to forward the request (its own words are quoted above): check the proxy's own outbound access to port 443, and any parent proxy it forwards through. " + asAgentNote,
	},
	TLSIntercepted + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "A TLS-inspecting proxy or firewall re-signs the connection. Ask your network team to exempt the Elastic Cloud URLs from TLS inspection, or add the inspecting CA to the system trust store where the agent runs (update-ca-certificates, or a bundle in SSL_CERT_FILE). " + asAgentNote,
	},
	remedyNoCABundle + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "This machine has no CA bundle at all, so no certificate can be verified: install the system CA certificates (ca-certificates) in the image, or point SSL_CERT_FILE at a bundle; if TLS inspection is also in the path, the inspecting CA goes into that bundle. " + asAgentNote,
	},
	TLSHostnameMismatch + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The certificate is not valid for the Elastic Cloud host name, which suggests something in the path answers in its place: check for TLS inspection or a wrong endpoint (ELASTIC_CLOUD_CONNECTED_MODE_API_URL). " + asAgentNote,
	},
	remedyCNOnly + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The certificate names the host only in its subject's Common Name, which Go refuses; Elastic Cloud's certificates carry subjectAltNames, so something else presents this one: check for TLS inspection in the path. " + asAgentNote,
	},
	TLSCertificateExpired + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The certificate presented is expired or not yet valid: check this machine's clock, and for TLS inspection in the path whose certificates have expired. " + asAgentNote,
	},
	TLSHandshakeFailed + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The TLS handshake failed, often because a firewall or proxy interferes with TLS: check the path to Elastic Cloud. " + asAgentNote,
	},
	TLSClientCertificateRequired + remedyAsAgent: {
		Guide: asAgentGuide,
		Cloud: "The server requires a client certificate, which Elastic Cloud's endpoints never ask for and the agent never sends when it registers (the module's ssl.certificate and ssl.key do not apply there): a TLS-inspecting proxy or gateway in the path asks for it. Have it exempt the Elastic Cloud URLs. " + asAgentNote,
	},
	remedyNoCABundle: {
		Guide: "Tests 2-3; autoops-facts: the connectivity script's curl exit codes 60 and 77",
		Cloud: "This machine has no CA bundle at all, so no certificate can be verified: install the system CA certificates (ca-certificates) in the image, or point SSL_CERT_FILE at a bundle. If TLS inspection is also in the path, set tls.ca_file to the inspecting CA.",
	},
	remedyAnswerTooLarge: {
		Guide:   "None: the guide names no cause; field facts: Go's transport stops reading a proxy's answer at 10 MB of headers",
		Cluster: "The proxy answered with an endless stream instead of a proxy's answer: check that proxy_url (or HTTPS_PROXY, HTTP_PROXY) names the proxy's host and port, and the proxy's health and logs; or add the cluster's host to NO_PROXY if it should be reached directly.",
		Cloud:   "The proxy answered with an endless stream instead of a proxy's answer: check that proxy_url (or HTTPS_PROXY) names the proxy's host and port, and the proxy's health and logs. The agent, behind the same proxy, cannot register or send data either.",
	},
	Other: {
		Meaning: "no known cause explains the error; the log quotes it as seen, never a guess from another row",
		Brief:   "read the quoted error; compare with the guide's curl test from this machine",
		Guide:   "None: the guide names no cause for what was seen, so the evidence is quoted as it came",
		Cluster: "No known cause explains this error: read the quoted error, then run the guide's curl test 1 from this machine to compare.",
		Cloud:   "No known cause explains this error: read the quoted error, then run the guide's curl tests 2 and 3 from this machine to compare.",
	},
}

// warningRemedies holds a row per warning; clock_skew is both an error type and a warning,
// with a remedy for each.
var warningRemedies = map[string]remedy{
	WarnSuperuser: {
		Meaning: "the credentials hold the `superuser` role",
		Brief:   "use a user or key with only the `autoops` role",
		Guide:   "Test 1, row 'username or password': 'We do not recommend providing a privileged superuser like elastic'",
		Cluster: "The credentials hold the superuser role: create a user or API key with only the autoops role's privileges.",
	},
	WarnCANotNeeded: {
		Meaning: "`cluster.tls.ca_file` is set but the system roots already trust the cluster",
		Brief:   "drop the setting",
		Guide:   "Test 1, row 'custom SSL/TLS configuration'",
		Cluster: "The setting cluster.tls.ca_file is set, but the system roots already trust the cluster's certificate: the setting can be dropped.",
	},
	WarnHTTPSProxy: {
		Meaning: "`HTTP_PROXY` is set but `HTTPS_PROXY` is not",
		Brief:   "set `HTTPS_PROXY` if https must use the proxy",
		Guide:   "Tests 2-3 note: 'HTTP_PROXY, HTTPS_PROXY and NO_PROXY'",
		Cluster: "HTTP_PROXY is set but HTTPS_PROXY is not, so https requests go direct: set HTTPS_PROXY too if they must use the proxy.",
		Cloud:   "HTTP_PROXY is set but HTTPS_PROXY is not, so requests to Elastic Cloud (https) do not use the proxy: set HTTPS_PROXY.",
	},
	WarnAPIKeyEncoded: {
		Meaning: "the API key is base64-encoded",
		Brief:   "agents 9.1.0–9.1.3 need the decoded `id:api_key` form",
		Guide:   "Test 1, row 'Your API key is incorrect': 'For versions 9.1.4 and above, both formats work'",
		Cluster: "The API key is in its base64-encoded form: agents 9.1.0 to 9.1.3 need the decoded id:api_key form (echo $AUTOOPS_ES_API_KEY | base64 -d); 9.1.4 and later take both.",
	},
	WarnLegacyOTLPHost: {
		Meaning: "the intake URL uses the retired `otel-collector.auto-ops...cloud.elastic.co` host",
		Brief:   "use `https://otel-auto-ops.<region>.<csp>.svc.elastic.cloud`",
		Guide:   "autoops-facts: the retired otel-collector.auto-ops.<region>.<csp>.cloud.elastic.co host",
		Cloud:   "The endpoint uses the retired otel-collector.auto-ops host: use https://otel-auto-ops.<region>.<csp>.svc.elastic.cloud (set otlp.region and otlp.csp, or AUTOOPS_OTEL_URL).",
	},
	WarnClockSkew: {
		Meaning: "an answer's `Date` differs from this machine's clock by more than 5 minutes",
		Brief:   "enable NTP",
		Guide:   "autoops-facts, field facts: the server's Date header",
		Cluster: "This machine's clock differs from the server's by more than 5 minutes: enable NTP (timedatectl set-ntp true); certificates start failing at larger skews.",
		Cloud:   "This machine's clock differs from Elastic Cloud's by more than 5 minutes: enable NTP (timedatectl set-ntp true); AutoOps data would be misdated.",
	},
	WarnNoProxyIgnored: {
		Meaning: "a proxy was used although `NO_PROXY` has an entry meant for the endpoint that Go ignores: a CIDR for a host name, `10.*`, `;` separators, `<local>`",
		Brief:   "list host names or `.domain` entries, comma-separated",
		Guide:   "Test 1, row 'A proxy is blocking communication': 'You might have to configure NO_PROXY'",
		Cluster: "NO_PROXY has an entry meant for this endpoint that Go ignores (a CIDR for a host name, a 10.* wildcard, ';' separators or <local>): list the host name or its domain (.example.com), comma-separated.",
		Cloud:   "NO_PROXY has an entry meant for this endpoint that Go ignores (a CIDR for a host name, a wildcard like 10.*, ';' separators or <local>): list host names or domains (.example.com), comma-separated.",
	},
	WarnLicenseTypeUnsupported: {
		Meaning: "the cluster's license type (`GET /_license`) is neither `enterprise` nor `trial`, and the agent's version (before 9.2.4) registers only those (\"cluster license type is not supported\"); with a later or unknown version, no warning, and the log names the type",
		Brief:   "upgrade the agent to 9.2.4 or later, or start a trial",
		Guide:   "autoops-facts: registration refuses other license types in agents 9.1.x to 9.2.3 ('cluster license type is not supported'); contract v4: the agent's version",
		Cluster: "This agent's version (before 9.2.4) registers only clusters with a self-managed Enterprise license or a trial, and Elastic Cloud answers it 'cluster license type is not supported'. Upgrade the agent to 9.2.4 or later, which leaves the license decision to Elastic Cloud, or start a trial (POST _license/start_trial) or get an Enterprise license.",
	},
	WarnAgentCAOnSomeModules: {
		Meaning: "`agent_config`: `ssl.certificate_authorities` is on some `autoops_es` modules, not all",
		Brief:   "add the CA list to both modules",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.CAOnSomeModules],
	},
	WarnAgentCANotAList: {
		Meaning: "retired in v5 and never reported: the agent takes a single `ssl.certificate_authorities` value as a one-item list",
		Brief:   "nothing",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.CANotAList],
	},
	WarnAgentCAFileUnusable: {
		Meaning: "`agent_config`: a CA path of the agent does not exist, cannot be read, or holds no PEM certificate",
		Brief:   "point it at the CA's PEM file",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.CAFileUnusable],
	},
	WarnAgentEnvUnset: {
		Meaning: "`agent_config`: a `${env:NAME}` the agent's configuration needs is unset or empty",
		Brief:   "set it where the agent runs",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.EnvUnset],
	},
	WarnAgentBothAuth: {
		Meaning: "`agent_config`: an `autoops_es` module sets both an API key and a username/password",
		Brief:   "choose one type of authentication",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.BothAuth],
	},
	WarnAgentTokenHeaderMissing: {
		Meaning: "`agent_config`: the exporter sends no `Authorization: AutoOpsToken ...` header",
		Brief:   "add the header, as Elastic's sample has it",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.TokenHeaderMissing],
	},
	WarnAgentVerificationDisabled: {
		Meaning: "`agent_config`: `ssl.verification_mode: none` or `insecure_skip_verify: true` (connects, but trusts anyone)",
		Brief:   "turn verification back on and give the CA",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.VerificationDisabled],
	},
	WarnAgentModulesDisagree: {
		Meaning: "`agent_config`: the `autoops_es` modules name different hosts or credentials",
		Brief:   "give both modules the same ones",
		Guide:   agentFindingGuide,
		Cluster: agentconfig.Remedies[agentconfig.ModulesDisagree],
	},
	WarnAPIKeyDoubleEncoded: {
		Meaning: "the agent (9.1.0 to 9.1.3) encodes every API key, so this already encoded one (no colon) is encoded twice and refused",
		Brief:   "give the decoded `id:api_key` form, or upgrade the agent to 9.1.4 or later",
		Guide:   agentVersionGuide,
		Cluster: "This agent's version (9.1.0 to 9.1.3) base64-encodes every API key, so a key given already encoded (no colon) is encoded twice and Elasticsearch refuses it: give the decoded id:api_key form (echo $ELASTICSEARCH_READ_API_KEY | base64 -d), or upgrade the agent to 9.1.4 or later, which takes both forms.",
	},
	WarnAgentIgnoresVariables: {
		Meaning: "the credentials are only in `AUTOOPS_ES_*`, which the agent's version (9.1.0 to 9.1.3) does not read: it reads only `ELASTICSEARCH_READ_*`",
		Brief:   "set `ELASTICSEARCH_READ_*` too, or upgrade the agent to 9.1.4 or later",
		Guide:   agentVersionGuide,
		Cluster: "This agent's version (9.1.0 to 9.1.3) reads only the ELASTICSEARCH_READ_* variables, and the credentials are only in AUTOOPS_ES_*, so the agent connects without them: set ELASTICSEARCH_READ_API_KEY (or ELASTICSEARCH_READ_USERNAME and ELASTICSEARCH_READ_PASSWORD) where the agent runs, or upgrade the agent to 9.1.4 or later, which reads AUTOOPS_ES_* first.",
	},
	WarnAgentVersionUnsupported: {
		Meaning: "the agent is older than 9.1.0, which has no AutoOps (`autoops_es`) module",
		Brief:   "upgrade the agent to 9.1.0 or later",
		Guide:   agentVersionGuide,
		Cluster: "This agent is older than 9.1.0, which has no autoops_es module: AutoOps in cloud connected mode needs Elastic Agent 9.1.0 or later. Upgrade the agent; the probes' verdicts describe what a current agent would meet.",
	},
	WarnAllProxyIgnored: {
		Meaning: "`ALL_PROXY`/`all_proxy` is set and no proxy variable Go reads applies: curl and the guide's commands would use it, the agent (a Go program) does not",
		Brief:   "set `HTTPS_PROXY` (and `HTTP_PROXY`), or unset `ALL_PROXY` if the agent should go direct",
		Guide:   proxyVariablesGuide,
		Cluster: "ALL_PROXY (or all_proxy) is set, and no proxy variable Go reads applies to this endpoint: curl and the guide's commands would go through that proxy, the agent (a Go program) goes direct. Set HTTPS_PROXY (and HTTP_PROXY) to the proxy if the agent must use it, or unset ALL_PROXY if the agent should go direct, so that curl tests what the agent does.",
	},
	WarnProxyEnvConflict: {
		Meaning: "`HTTPS_PROXY` and `https_proxy` (or `HTTP_PROXY`/`http_proxy`, `NO_PROXY`/`no_proxy`) are both set and differ: Go takes the upper-case one, curl the lower-case one",
		Brief:   "make them equal, or unset one",
		Guide:   proxyVariablesGuide,
		Cluster: "The upper- and lower-case forms of a proxy variable are both set and differ (HTTPS_PROXY and https_proxy, HTTP_PROXY and http_proxy, or NO_PROXY and no_proxy): Go, and so the agent, takes the upper-case one, curl and the guide's commands the lower-case one. Make them equal, or unset one.",
	},
	WarnAgentDropinLineIgnored: {
		Meaning: "a line of the agent's systemd drop-ins that systemd ignores (an unknown `%` specifier, a bad escape or quote, a bad name): the agent runs without that variable; the one-shot names the file and line",
		Brief:   "write `%%` for `%`, or move the variable to an `EnvironmentFile=`",
		Guide:   agentReadsGuide,
		Cluster: agentconfig.Remedies[agentconfig.DropinLineIgnored],
	},
	WarnAgentEnvValueNotAString: {
		Meaning: "a module key whose whole value is `${env:NAME}` gets no string from the agent's collector (the variable is unset, empty, or reads as a YAML number or boolean such as `0123`, `true`, `1e3`): the module does not start",
		Brief:   "give the variable a text value, or write the value in the module",
		Guide:   agentReadsGuide,
		Cluster: agentconfig.Remedies[agentconfig.EnvValueNotAString],
	},
	WarnAgentValueTrailingNewline: {
		Meaning: "a credential's value ends with a newline (a Kubernetes Secret made from a file): the agent sends it as part of the credential and is refused",
		Brief:   "remove the newline (`printf '%s'`, `--from-literal`)",
		Guide:   agentReadsGuide,
		Cluster: agentconfig.Remedies[agentconfig.ValueTrailingNewline],
		Cloud:   agentconfig.Remedies[agentconfig.ValueTrailingNewline],
	},
	WarnAgentRegistrationSkipped: {
		Meaning: "`DEPLOYMENT_ID`, `PROJECT_ID` or `RESOURCE_ID` is set where the agent runs: the agent skips registration (the settings name the variable)",
		Brief:   "unset the variable unless the cluster is registered another way",
		Guide:   agentReadsGuide,
		Cloud:   "The agent skips registration because DEPLOYMENT_ID, PROJECT_ID or RESOURCE_ID is set in its environment (the probe's settings name which): its value is taken as the cluster's resource id instead. Unset it where the agent runs unless this cluster is already registered another way; the probe tested the connection all the same.",
	},
	WarnAgentRegistrationDisabled: {
		Meaning: "neither `ELASTIC_CLOUD_CONNECTED_MODE_API_KEY` nor the first module's `ccm.api_key` is set in the agent's environment as the one-shot's `--agent-env` reads it: the agent makes no registration call",
		Brief:   "set `ELASTIC_CLOUD_CONNECTED_MODE_API_KEY` where the agent runs",
		Guide:   agentReadsGuide,
		Cloud:   "The agent makes no registration call without an Elastic Cloud API key: set ELASTIC_CLOUD_CONNECTED_MODE_API_KEY where the agent runs (or ccm.api_key on the first autoops_es module), as the installation wizard gives it. The probe tested the connection all the same.",
	},
	WarnUnknownRegion: {
		Meaning: "the otlp region or CSP is well formed but not on the published list; the probe still runs",
		Brief:   "check it against the AutoOps installation wizard",
		Guide:   "autoops-facts: the published list of regions",
		Cloud:   "The otlp region or CSP is not on the published list this version knows: check it against the AutoOps installation wizard; if the region is new, the probe's result still holds.",
	},
}

// The rows of contract v5's values live beside their rules; they join the tables here.
func init() {
	for _, rows := range []map[string]remedy{clientRemedies, familyRemedies, pinnedLeafRemedies, splitHorizonRemedies, pathRemedies} {
		maps.Copy(remedies, rows)
	}
	for _, rows := range []map[string]remedy{clientWarningRemedies, familyWarningRemedies, pinnedLeafWarningRemedies} {
		maps.Copy(warningRemedies, rows)
	}
}

// Remedy returns the remedy for an error type on the given probe kind.
func Remedy(errorType string, cluster bool) string { return pick(remedies[errorType], cluster) }

// WarningRemedy returns the remedy for a warning on the given probe kind.
func WarningRemedy(warning string, cluster bool) string {
	return pick(warningRemedies[warning], cluster)
}

func pick(r remedy, cluster bool) string {
	if cluster && r.Cluster != "" || r.Cloud == "" {
		return r.Cluster
	}
	return r.Cloud
}

// asAgentNote ends every remedy of a registration probe built as the agent registers: its
// TLS and proxy settings are not the module's (contract v4; autoops-facts, "What the agent does,
// by version").
const asAgentNote = "The agent registers through Go's default HTTP client, so the autoops_es module's ssl.certificate_authorities and proxy_url do not apply to registration: a TLS-inspecting proxy's CA must be in the system trust store (or in the bundle SSL_CERT_FILE names), and the proxy in HTTPS_PROXY."

// asAgentGuide is where the rows of registration as the agent does it come from.
const asAgentGuide = "Tests 2-3, 'configure your HTTP proxy to allow it to reach the URL'; contract v4: registration, as the agent does it"

// rootExitNote says what the agent does with a 401, 403 or 404 from GET / (autoops-facts, "What
// the agent does, by version"); every verdict such an answer produces carries it.
const rootExitNote = "On this answer to GET /, agents 9.2.5 and later log \"autoops agent can't fetch the metrics due to http error!\" and exit, so they restart over and over (a restart loop) until it is mended; earlier agents log it and retry."

// agentFindingGuide is where the agent_* warnings come from.
const agentFindingGuide = "contract v3: findings about the agent's configuration"

// agentVersionGuide is where the version warnings come from.
const agentVersionGuide = "contract v4: the agent's version; autoops-facts: what the agent does, by version"

// proxyVariablesGuide is where the proxy variables' warnings come from.
const agentReadsGuide = "contract v5: what the agent reads before it connects; autoops-facts: the agent's client (the service's environment, configuration resolution, registration)"

const proxyVariablesGuide = "Tests 2-3 note: 'configure HTTP_PROXY, HTTPS_PROXY and NO_PROXY'; contract v4: proxies, as Go reads them"

// cloudGuide is what tests 2 and 3 of the guide say for every failure they do not name.
const cloudGuide = "Tests 2-3: 'If you do not receive a similar response, configure your HTTP proxy to allow it to reach the URL'"

// GuideRow names the row or section of the guide a remedy row comes from, for the probe it is
// shown for: test 1's rows belong to the cluster, tests 2-3's to the cloud probes.
func GuideRow(row string, cluster bool) string {
	r := remedies[row]
	switch {
	case cluster:
		return r.Guide
	case r.CloudGuide != "":
		return r.CloudGuide
	case strings.HasPrefix(r.Guide, "Test 1"):
		return cloudGuide
	}
	return r.Guide
}
