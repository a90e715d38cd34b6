package diagnose

import (
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// warningRule is one named warning: its value, the guide row or field fact it rests on, and
// a match over the evidence (and the configuration) that says whether the run earns it.
type warningRule struct {
	value string
	basis string
	match func(*judgement) bool
}

// warningRules are every warning a run can carry, in the contract's order, each value from
// exactly one row. Warnings attach to failed results too, wherever they apply. The findings
// decided outside the diagnosis, by the agent model (Context.AgentFindings), pass through
// their rows.
var warningRules = []warningRule{
	{WarnSuperuser, "test 1: 'We do not recommend providing a privileged superuser like elastic'", superuserCredentials},
	{WarnCANotNeeded, "test 1: custom SSL/TLS configuration", func(j *judgement) bool {
		return j.cluster() && j.ev.SystemTrustChecked && j.ev.SystemTrustErr == nil
	}},
	// A fact of the environment, so every probe it applies to (no proxy_url) carries it.
	{WarnHTTPSProxy, "tests 2-3 note: HTTP_PROXY, HTTPS_PROXY and NO_PROXY", func(j *judgement) bool { return j.ev.HTTPProxyWithoutHTTPS }},
	{WarnAPIKeyEncoded, "test 1: 'For versions 9.1.4 and above, both formats work'", func(j *judgement) bool {
		return j.cluster() && j.c.Credentials == CredentialsAPIKey && j.c.APIKeyEncoded
	}},
	{WarnLegacyOTLPHost, "autoops-facts: the retired otel-collector.auto-ops host", func(j *judgement) bool {
		return j.ev.Probe == probe.OTLP && legacyOTLPHost.MatchString(j.ev.ServerAddress)
	}},
	// HTTP dates have a one-second resolution: beyond five minutes is no rounding.
	{WarnClockSkew, "field facts: the server's Date header", func(j *judgement) bool {
		skew, ok := clockSkewOf(j.ev)
		return ok && (skew > maxClockSkew || skew < -maxClockSkew)
	}},
	{WarnNoProxyIgnored, "test 1: 'You might have to configure NO_PROXY'; field facts: NO_PROXY as Go reads it", func(j *judgement) bool {
		return noProxyIgnored(j.ev) != ""
	}},
	{WarnUnknownRegion, "autoops-facts: the published list of regions", func(j *judgement) bool {
		return j.ev.Probe == probe.OTLP && j.c.UnknownRegion
	}},
	{WarnLicenseTypeUnsupported, "autoops-facts: registration refuses other license types before agent 9.2.4; contract v4: the agent's version", licenseTypeUnsupported},
	decided(WarnAgentCAOnSomeModules, agentFindingGuide),
	decided(WarnAgentCANotAList, agentFindingGuide),
	decided(WarnAgentCAFileUnusable, agentFindingGuide),
	decided(WarnAgentEnvUnset, agentFindingGuide),
	decided(WarnAgentBothAuth, agentFindingGuide),
	decided(WarnAgentTokenHeaderMissing, agentFindingGuide),
	decided(WarnAgentVerificationDisabled, agentFindingGuide),
	decided(WarnAgentModulesDisagree, agentFindingGuide),
	decided(WarnAPIKeyDoubleEncoded, agentVersionGuide),
	decided(WarnAgentIgnoresVariables, agentVersionGuide),
	decided(WarnAgentVersionUnsupported, agentVersionGuide),
	{WarnAllProxyIgnored, proxyVariablesGuide, func(j *judgement) bool { return j.ev.AllProxyIgnored }},
	{WarnProxyEnvConflict, proxyVariablesGuide, func(j *judgement) bool { return len(j.ev.ProxyEnvConflicts) > 0 }},
	{WarnCNOnlyCertificate, "contract v5: the module's TLS (full falls back to the Common Name)", cnOnlyCertificate},
	{WarnAgentHostnameUncheckedViaProxy, "contract v5: the module's TLS (no host check through a proxy)", hostnameUncheckedViaProxy},
	{WarnRedirected, "contract v5: the module's HTTP client (redirects)", redirected},
	decided(WarnAgentDropinLineIgnored, agentReadsGuide),
	decided(WarnAgentEnvValueNotAString, agentReadsGuide),
	decided(WarnAgentValueTrailingNewline, agentReadsGuide),
	decided(WarnAgentRegistrationSkipped, agentReadsGuide),
	decided(WarnAgentRegistrationDisabled, agentReadsGuide),
	{WarnCAFilePinsLeaf, "contract v5: Diagnosis v5 (ca_file_pins_leaf)", caFilePinsLeaf},
	{WarnDualStackFallback, "contract v5: Diagnosis v5 (dual_stack_fallback)", dualStackFallback},
}

// decided passes a finding of the agent model through: internal/agentconfig decides it.
func decided(value, basis string) warningRule {
	return warningRule{value, basis, func(j *judgement) bool { return slices.Contains(j.c.AgentFindings, value) }}
}

// warnings are the values of every row that matches, sorted.
func warnings(j *judgement) []string {
	var w []string
	for _, r := range warningRules {
		if r.match(j) {
			w = append(w, r.value)
		}
	}
	slices.Sort(w)
	return w
}

var legacyOTLPHost = regexp.MustCompile(`^otel-collector\.auto-ops\.[a-z0-9-]+\.[a-z]+\.cloud\.elastic\.co$`)

func superuserCredentials(j *judgement) bool {
	ex := j.ev.Authenticate
	if !j.cluster() || ex == nil || ex.Response == nil || ex.Response.Status != http.StatusOK {
		return false
	}
	a, err := answers.ParseAuthenticate(ex.Response.Body)
	return err == nil && a.IsSuperuser()
}

// licenseTypeUnsupported: agents before 9.2.4 register only a self-managed Enterprise license
// or a trial; later ones leave it to Elastic Cloud, so with them (or an unknown version) the
// type is only named in the passing evidence.
func licenseTypeUnsupported(j *judgement) bool {
	lic := j.license()
	return j.cluster() && j.c.AgentRefusesLicenseType && lic != nil && lic.Type != "" && lic.Type != "enterprise" && lic.Type != "trial"
}

// maxClockSkew is how far an answer's Date may be from this machine's clock before the
// clock_skew warning.
const maxClockSkew = 5 * time.Minute

// clockSkewOf is how far the server's clock is ahead of this machine's (negative: behind),
// from the Date of the main answer or of the clock check; ok is false without a Date.
func clockSkewOf(ev *probe.Evidence) (time.Duration, bool) {
	for _, r := range []*probe.Response{ev.Main.Response, ev.ServerClock} {
		if r != nil && !r.Date.IsZero() && !r.ReceivedAt.IsZero() {
			return r.Date.Sub(r.ReceivedAt), true
		}
	}
	return 0, false
}
