// Package diagnose turns a probe's Evidence into a Verdict: passed or not, one contract
// error.type, warnings, and the remedy. It is pure: the same evidence gives the same verdict.
package diagnose

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// Context is what the diagnosis needs to know besides the evidence.
type Context struct {
	// Credentials is "api_key", "basic" or "" (none configured).
	Credentials   string
	APIKeyEncoded bool
	// InContainer: the collector runs inside a container (see DetectContainer).
	InContainer bool
	// UnknownRegion: the otlp region or CSP is not on the published list.
	UnknownRegion bool
}

// Credential kinds of Context.Credentials.
const (
	CredentialsAPIKey = "api_key"
	CredentialsBasic  = "basic"
)

// Verdict is the outcome of one probe run.
type Verdict struct {
	Probe     probe.Name
	Passed    bool
	ErrorType string   // empty when passed
	Warnings  []string // sorted
	// Summary says what failed (or passed) and the evidence seen, in one or two sentences.
	Summary string
	// Remedy is what to do: for the failure, then for each warning.
	Remedy string
	Facts  Facts
}

// Facts are details worth logging and exporting.
type Facts struct {
	// AnsweredBy names what answered instead of Elasticsearch (not_elasticsearch).
	AnsweredBy        string
	Cluster           *answers.Root
	MissingPrivileges []string
	// RoleDefinition is the request creating a role with exactly what is missing
	// (insufficient_privileges), ready to paste.
	RoleDefinition string
	Certificate    *Certificate
	Location       string
}

// Certificate describes the server certificate seen, verified or not.
type Certificate struct {
	Issuer, Subject string
	DNSNames        []string
	NotAfter        time.Time
	SHA256          string
}

var legacyOTLPHost = regexp.MustCompile(`^otel-collector\.auto-ops\.[a-z0-9-]+\.[a-z]+\.cloud\.elastic\.co$`)

// Diagnose explains ev.
func Diagnose(ev *probe.Evidence, c Context) Verdict {
	v := Verdict{Probe: ev.Probe}
	if cert := ev.LeafCertificate(); cert != nil {
		v.Facts.Certificate = describeCertificate(cert)
	}
	if r := ev.Main.Response; r != nil && r.Status >= 300 && r.Status < 400 {
		v.Facts.Location = probe.RedactURL(r.Location)
	}
	v.Warnings = warnings(ev, c)

	var f failure
	if ev.Probe == probe.Cluster {
		f = diagnoseCluster(ev, c, &v.Facts)
	} else {
		f = diagnoseCloud(ev)
	}
	// Wherever it failed, the name led elsewhere through a search domain: fix that first.
	if sd := ev.SearchDomain; sd != nil && f.errorType != "" {
		rooted := "does not resolve"
		if len(sd.RootedAddresses) > 0 {
			rooted = "has " + strings.Join(sd.RootedAddresses, ", ")
		}
		f = fail(DNSSearchDomain, "%s was resolved as %s.%s (search domain %s of resolv.conf) to %s, while %s. %s (then: %s)",
			ev.ServerAddress, ev.ServerAddress, sd.Suffix, sd.Suffix, strings.Join(sd.SuffixAddresses, ", "), ev.ServerAddress, rooted, f.evidence)
	}
	v.Passed = f.errorType == ""
	v.ErrorType = f.errorType
	v.Facts.AnsweredBy = f.answeredBy
	v.Summary = summarize(ev, f, v.Warnings)
	v.Remedy = remedyText(ev.Probe == probe.Cluster, f.errorType, v.Warnings)
	if f.errorType == InsufficientPrivileges {
		v.Facts.RoleDefinition = answers.RoleRequest(v.Facts.MissingPrivileges)
		v.Remedy += " Ready to paste in Kibana's Dev Tools, then add the role " + answers.RoleName + " to the user or API key: " + v.Facts.RoleDefinition
	}
	if f.errorType == TLSIntercepted && ev.Handshake != nil && ev.Handshake.NoSystemRoots {
		v.Remedy = strings.Replace(v.Remedy, Remedy(TLSIntercepted, false), noCABundle, 1)
	}
	return v
}

// failure is an error type with the evidence that supports it.
type failure struct {
	errorType  string
	evidence   string
	answeredBy string
}

func fail(errorType, format string, args ...any) failure {
	// Go's errors quote URLs as given (a malformed HTTPS_PROXY, say): evidence never carries
	// a password.
	return failure{errorType: errorType, evidence: probe.ScrubUserinfo(fmt.Sprintf(format, args...))}
}

func diagnoseCloud(ev *probe.Evidence) failure {
	f := diagnoseCloudAnswer(ev)
	// Whatever went wrong, a public Elastic name that resolved to a sinkhole address never
	// reached Elastic: that is the cause to fix first.
	if addr := sinkholed(ev); f.errorType != "" && addr != "" {
		return fail(DNSBlocked, "%s resolved to %s, an address no public Elastic Cloud name has: a DNS filter or sinkhole answered (then: %s)", ev.ServerAddress, addr, f.evidence)
	}
	return f
}

func diagnoseCloudAnswer(ev *probe.Evidence) failure {
	if ev.Main.Response == nil || ev.Main.Err != nil {
		return transportFailure(ev, Context{})
	}
	r := ev.Main.Response
	if f, ok := proxyAnswer(ev, r); ok {
		return f
	}
	if ev.TokenSent {
		return tokenAnswer(ev, r)
	}
	if r.Status != http.StatusUnauthorized {
		return statusFailure(ev, r)
	}
	matches := answers.IsOTLPUnauthenticated
	want := `{"code":16,...}`
	if ev.Probe == probe.Registration {
		matches, want = answers.IsRegistrationUnauthorized, `{"UnauthorizedMessages":[...]}`
	}
	if !matches(r.Body) {
		return fail(UnexpectedResponse, "HTTP 401 came with a body that is not Elastic Cloud's %s: %s", want, snippet(r.Body))
	}
	return failure{}
}

// tokenAnswer judges the intake's answer to the agent's token: 415 accepts it (only the
// empty body is refused); a JSON 401 or 403 is the intake refusing it. Other pages are not
// the intake's.
func tokenAnswer(ev *probe.Evidence, r *probe.Response) failure {
	switch {
	case r.Status == http.StatusUnsupportedMediaType:
		return failure{}
	case (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden) && json.Valid(r.Body):
		return fail(TokenRejected, "the intake answered %d to otlp.token: %s", r.Status, snippet(r.Body))
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
		return fail(UnexpectedResponse, "HTTP %d came with a body that is not the intake's JSON: %s", r.Status, snippet(r.Body))
	}
	return statusFailure(ev, r)
}

func diagnoseCluster(ev *probe.Evidence, c Context, facts *Facts) failure {
	if ev.Main.Response == nil || ev.Main.Err != nil {
		return transportFailure(ev, c)
	}
	r := ev.Main.Response
	if f, ok := proxyAnswer(ev, r); ok {
		return f
	}
	if f, ok := plaintextRefusedByTLSPort(ev, r); ok {
		return f
	}
	// Before any auth, privilege or version verdict: those only mean something from
	// Elasticsearch itself.
	if who := answeredBy(r); who != "" {
		return notElasticsearch(who, r)
	}
	switch r.Status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		if c.Credentials == "" {
			return fail(AuthMissing, "Elasticsearch answered 401 and no credentials are configured")
		}
		return fail(AuthFailed, "Elasticsearch answered 401 to the %s given", credentialWords(c))
	case http.StatusForbidden:
		return fail(InsufficientPrivileges, "Elasticsearch answered 403: the %s lacks the privilege to read the cluster's root", credentialWords(c))
	default:
		return statusFailure(ev, r)
	}
	root, err := answers.ParseRoot(r.Body)
	if err != nil {
		return fail(UnexpectedResponse, "HTTP 200 came without Elasticsearch's root JSON (%v): %s", err, snippet(r.Body))
	}
	facts.Cluster = &root
	if ver, err := answers.ParseVersion(root.Version.Number); err == nil && ver.Less(answers.MinimumVersion) {
		return fail(UnsupportedVersion, "cluster %q runs Elasticsearch %s", root.ClusterName, root.Version.Number)
	}
	if f, ok := licenseFailure(ev.License); ok {
		return f
	}
	if ev.Privileges != nil {
		if f, ok := privilegesFailure(ev.Privileges, c, facts); ok {
			return f
		}
	}
	return failure{}
}

func licenseFailure(ex *probe.Exchange) (failure, bool) {
	if ex == nil || ex.Response == nil || ex.Response.Status != http.StatusOK {
		// Without read access to the license the version check stands; privileges say more.
		return failure{}, false
	}
	lic, err := answers.ParseLicense(ex.Response.Body)
	if err != nil || lic.Status == "active" {
		return failure{}, false
	}
	return fail(LicenseInactive, "GET /_license says the %s license is %q", lic.Type, lic.Status), true
}

func privilegesFailure(ex *probe.Exchange, c Context, facts *Facts) (failure, bool) {
	if ex.Response == nil {
		return failure{}, false
	}
	switch ex.Response.Status {
	case http.StatusOK:
		missing, err := answers.MissingPrivileges(ex.Response.Body)
		if err != nil || len(missing) == 0 {
			return failure{}, false
		}
		facts.MissingPrivileges = missing
		return fail(InsufficientPrivileges, "the %s lacks %s", credentialWords(c), strings.Join(missing, ", ")), true
	case http.StatusForbidden:
		return fail(InsufficientPrivileges, "Elasticsearch answered 403 to _has_privileges for the %s", credentialWords(c)), true
	}
	// Security disabled (no _security API): there is nothing to check.
	return failure{}, false
}

// proxyAnswer recognises an answer a proxy made itself to a plain-http request.
func proxyAnswer(ev *probe.Evidence, r *probe.Response) (failure, bool) {
	if r.Status == http.StatusProxyAuthRequired {
		return proxyRefusal(orDirect(ev.Proxy), ev.ServerAddress, r.Status, r.ProxyAuthSchemes, r.SquidError, r.Body), true
	}
	if ev.Proxy == "" || r.ElasticProduct != "" {
		return failure{}, false
	}
	if r.SquidError != "" {
		return proxyRefusal(ev.Proxy, ev.ServerAddress, r.Status, nil, r.SquidError, r.Body), true
	}
	// The cluster always proves itself with X-Elastic-Product; Elastic Cloud answers in JSON.
	// Anything else refusing or failing on a proxied request is the proxy's own page.
	if ev.Probe == probe.Cluster || !json.Valid(r.Body) {
		switch {
		case r.Status == http.StatusForbidden:
			return fail(ProxyBlocked, "the proxy %s answered 403 instead of forwarding: %s", ev.Proxy, snippet(r.Body)), true
		case r.Status >= 500:
			return fail(ProxyUpstreamError, "the proxy %s answered %d: it could not reach the destination: %s", ev.Proxy, r.Status, snippet(r.Body)), true
		}
	}
	return failure{}, false
}

// plaintextRefusedByTLSPort: some TLS servers answer plaintext with a 400 of their own; a
// handshake to the same port tells it from a real 400.
func plaintextRefusedByTLSPort(ev *probe.Evidence, r *probe.Response) (failure, bool) {
	if r.Status == http.StatusBadRequest && strings.HasPrefix(ev.URL, "http://") && ev.Handshake != nil && len(ev.Handshake.Chain) > 0 {
		return fail(SchemeMismatch, "http:// was used, but %s:%d answered 400 to plaintext and completes a TLS handshake: the port speaks https", ev.ServerAddress, ev.ServerPort), true
	}
	return failure{}, false
}

// statusFailure explains an answer with a status the probe does not expect.
func statusFailure(ev *probe.Evidence, r *probe.Response) failure {
	if f, ok := plaintextRefusedByTLSPort(ev, r); ok {
		return f
	}
	if r.Location != "" {
		return fail(UnexpectedStatus, "HTTP %d redirecting to %s", r.Status, probe.RedactURL(r.Location))
	}
	return fail(UnexpectedStatus, "HTTP %d: %s", r.Status, snippet(r.Body))
}

func warnings(ev *probe.Evidence, c Context) []string {
	var w []string
	if ev.Probe == probe.Cluster {
		if c.Credentials == CredentialsAPIKey && c.APIKeyEncoded {
			w = append(w, WarnAPIKeyEncoded)
		}
		if ev.Authenticate != nil && ev.Authenticate.Response != nil && ev.Authenticate.Response.Status == http.StatusOK {
			if a, err := answers.ParseAuthenticate(ev.Authenticate.Response.Body); err == nil && a.IsSuperuser() {
				w = append(w, WarnSuperuser)
			}
		}
		if ev.SystemTrustChecked && ev.SystemTrustErr == nil {
			w = append(w, WarnCANotNeeded)
		}
	}
	// HTTP dates have a one-second resolution: beyond five minutes is no rounding.
	if skew, ok := clockSkewOf(ev); ok && (skew > maxClockSkew || skew < -maxClockSkew) {
		w = append(w, WarnClockSkew)
	}
	if noProxyIgnored(ev) != "" {
		w = append(w, WarnNoProxyIgnored)
	}
	// A fact of the environment, so every probe it applies to (no proxy_url) carries it.
	if ev.HTTPProxyWithoutHTTPS {
		w = append(w, WarnHTTPSProxy)
	}
	if ev.Probe == probe.OTLP && legacyOTLPHost.MatchString(ev.ServerAddress) {
		w = append(w, WarnLegacyOTLPHost)
	}
	if ev.Probe == probe.OTLP && c.UnknownRegion {
		w = append(w, WarnUnknownRegion)
	}
	slices.Sort(w)
	return w
}

func credentialWords(c Context) string {
	switch c.Credentials {
	case CredentialsAPIKey:
		if c.APIKeyEncoded {
			return "API key (given base64-encoded)"
		}
		return "API key (given as id:api_key)"
	case CredentialsBasic:
		return "username and password"
	}
	return "anonymous request"
}

func describeCertificate(c *x509.Certificate) *Certificate {
	sum := sha256.Sum256(c.Raw)
	return &Certificate{
		Issuer: c.Issuer.String(), Subject: c.Subject.String(), DNSNames: c.DNSNames,
		NotAfter: c.NotAfter, SHA256: hex.EncodeToString(sum[:]),
	}
}

// snippet quotes the start of a body, on one line, for a log sentence.
func snippet(body []byte) string {
	const max = 120
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		return "(empty body)"
	}
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func orDirect(proxy string) string {
	if proxy == "" {
		return "in the path"
	}
	return proxy
}

// isLocalhost: the endpoint names this machine the way the guide's Docker case does.
func isLocalhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
