package diagnose

import "strconv"

// The codes the agent reports to Elastic Cloud and its wizard shows (autoops-facts, "Elastic's
// published error list" and the paragraph after it; contract v5, "What the wizard shows").
const (
	CodeHTTP0                       = "HTTP_0"
	CodeHTTP401                     = "HTTP_401"
	CodeHTTP403                     = "HTTP_403"
	CodeHTTP502                     = "HTTP_502"
	CodeHTTP503                     = "HTTP_503"
	CodeHTTP504                     = "HTTP_504"
	CodeClusterAlreadyConnected     = "CLUSTER_ALREADY_CONNECTED"
	CodeClusterNotReady             = "CLUSTER_NOT_READY"
	CodeLicenseExpired              = "LICENSE_EXPIRED"
	CodeLicenseUsedByAnotherAccount = "LICENSE_USED_BY_ANOTHER_ACCOUNT"
	CodeVersionMismatch             = "VERSION_MISMATCH"
	CodeUnknownError                = "UNKNOWN_ERROR"
	// CodeLicenseTypeNotSupported is a message, not a code: the wizard shows "Failed to
	// register Cloud Connected Mode: cluster license type is not supported".
	CodeLicenseTypeNotSupported = "cluster license type is not supported"
	// CodeHTTPOther stands for every HTTP_<status> the published list does not name.
	CodeHTTPOther = "HTTP_<status>"
)

// HTTPCode is the agent's code for an HTTP answer with status.
func HTTPCode(status int) string { return "HTTP_" + strconv.Itoa(status) }

// agentErrorCode is the code the agent would report for the failure errorType judged from
// j's evidence: the status of what answered, HTTP_0 without an HTTP answer (the agent's Go
// client wraps every transport failure with status 0: refused, DNS, TLS, timeout, and a
// proxy's refusal of CONNECT, which Go returns as an error, not a response), except where the
// agent decides itself.
//
// The same holds for the cloud probes. Registration: the agent registers with Go's default
// client and the wizard shows that request's failures the same way (the facts list HTTP_401,
// 502, 503, 504 and 0 for it); the codes Elastic Cloud gives a registration with a valid key
// (CLUSTER_ALREADY_CONNECTED, LICENSE_*, VERSION_MISMATCH) never reach the probe, which
// registers without one. OTLP: the agent's error events travel through that very intake, so
// the wizard never receives a code for it; the code says, in the wizard's terms, what the
// agent's exporter met there.
func agentErrorCode(j *judgement, errorType string) string {
	switch errorType {
	case "":
		return ""
	case ElasticsearchUnavailable:
		if root, ok := j.root(); ok && !root.Formed() {
			return CodeClusterNotReady
		}
	case UnsupportedVersion:
		// The agent's own check of the root's version: no HTTP failure.
		return CodeUnknownError
	case LicenseInactive:
		// The agent reads /_license without judging it; Elastic Cloud refuses the
		// registration of a cluster whose license is not active.
		return CodeLicenseExpired
	case RequestBodyTooLarge:
		// What the exporter meets with a batch: the box's 413, or no answer at all.
		if ex, _ := j.batchRefused(); ex != nil && ex.Response != nil {
			return HTTPCode(ex.Response.Status)
		}
		return CodeHTTP0
	case InsufficientPrivileges:
		// The root's own 403, or a root that answered and later calls that need the
		// missing privileges, which Elasticsearch refuses with 403.
		return CodeHTTP403
	}
	if r := j.answer(); r != nil {
		return HTTPCode(r.Status)
	}
	return CodeHTTP0
}
