package autoopsreceiver

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// EventName is the event name of every log record the receiver emits.
const EventName = "autoops.probe.result"

// telemetry maps results to metrics, log records and component status. It remembers what
// on_change and status reporting compare against; one run at a time uses it.
type telemetry struct {
	mb        *metadata.MetricsBuilder
	lb        *metadata.LogsBuilder
	emitEvery bool
	// resultEvents: the autoops.probe.result event is enabled (events::autoops.probe.result).
	resultEvents bool
	// Both signals carry the resource attributes as the user enabled them.
	resourceAttrs metadata.ResourceAttributesConfig

	cluster    *answers.Root // last facts the cluster probe read
	lastStatus string
	host       component.Host
	// handedOffState is what on_change compares with: the records the logs hand-off took.
	handedOffState *handedOff
	// instance is the receiver's component ID: autoops.probe.instance on every point and record.
	instance string
	// reported holds, per probe, every error.type and warning this instance has written as 1:
	// each later run writes 0 for those that no longer hold, so a reason ends at once in the
	// backend. Bounded by the contract's tables.
	reported map[resultKey]*reportedReasons
}

type reportedReasons struct {
	// failures: an error.type with the agent's code for it; a gateway's 502 then 503 are
	// two series, so the first ends with 0 when the second begins.
	failures map[failure]bool
	warnings map[string]bool
}

type failure struct{ errorType, agentCode string }

func newTelemetry(cfg *Config, set receiver.Settings, host component.Host) *telemetry {
	return &telemetry{
		mb:             metadata.NewMetricsBuilder(cfg.MetricsBuilderConfig, set),
		lb:             metadata.NewLogsBuilder(metadata.LogsBuilderConfig{Events: cfg.Events, ResourceAttributes: cfg.ResourceAttributes}, set),
		resultEvents:   cfg.Events.AutoopsProbeResult.Enabled,
		emitEvery:      cfg.Logs.Emit == EmitEveryRun,
		resourceAttrs:  cfg.ResourceAttributes,
		handedOffState: newHandedOff(),
		host:           host,
		instance:       set.ID.String(),
		reported:       map[resultKey]*reportedReasons{},
	}
}

func (t *telemetry) rememberCluster(results []Result) {
	for _, r := range results {
		if r.Verdict.Facts.Cluster != nil {
			t.cluster = r.Verdict.Facts.Cluster
		}
	}
}

func (t *telemetry) resource() pcommon.Resource {
	rb := metadata.NewResourceBuilder(t.resourceAttrs)
	if t.cluster != nil {
		rb.SetElasticsearchClusterName(t.cluster.ClusterName)
		rb.SetElasticsearchClusterUUID(t.cluster.ClusterUUID)
		rb.SetElasticsearchClusterVersion(t.cluster.Version.Number)
	}
	return rb.Emit()
}

// metrics records every contract metric for the run.
func (t *telemetry) metrics(results []Result, now time.Time) pmetric.Metrics {
	ts := pcommon.NewTimestampFromTime(now)
	for _, r := range results {
		ev, v := &r.Evidence, &r.Verdict
		name := metadata.MapAttributeAutoopsProbeName[string(ev.Probe)]
		addr, port := ev.ServerAddress, int64(ev.ServerPort)
		success := int64(0)
		if v.Passed {
			success = 1
		}
		seen := t.reportedFor(keyOf(ev))
		current := failure{v.ErrorType, v.AgentErrorCode}
		if !v.Passed {
			seen.failures[current] = true
		}
		for _, w := range v.Warnings {
			seen.warnings[w] = true
		}
		for _, f := range sortedFailures(seen.failures) {
			t.mb.RecordAutoopsProbeFailureDataPoint(ts, boolValue(!v.Passed && f == current), name, metadata.MapAttributeErrorType[f.errorType], f.agentCode, addr, port, t.instance)
		}
		for _, w := range sortedKeys(seen.warnings) {
			t.mb.RecordAutoopsProbeWarningDataPoint(ts, boolValue(slices.Contains(v.Warnings, w)), name, metadata.MapAttributeAutoopsProbeWarning[w], addr, port, t.instance)
		}
		t.mb.RecordAutoopsProbeSuccessDataPoint(ts, success, name, addr, port, t.instance)
		t.mb.RecordAutoopsProbeDurationDataPoint(ts, ev.Duration.Seconds(), name, addr, port, t.instance)
		for _, ph := range ev.Main.Phases {
			t.mb.RecordAutoopsProbePhaseDurationDataPoint(ts, ph.Duration.Seconds(), name, metadata.MapAttributeAutoopsProbePhase[ph.Phase], addr, port, t.instance)
		}
		if ev.Main.Response != nil {
			t.mb.RecordAutoopsProbeHTTPStatusCodeDataPoint(ts, int64(ev.Main.Response.Status), name, addr, port, t.instance)
		}
		// The earliest expiry over every presented certificate, leaf or intermediate.
		if cert := ev.EarliestExpiry(); cert != nil {
			t.mb.RecordAutoopsProbeTLSCertRemainingDataPoint(ts, int64(cert.NotAfter.Sub(now).Seconds()), name, addr, port, t.instance)
		}
	}
	return t.mb.Emit(metadata.WithResource(t.resource()))
}

func (t *telemetry) reportedFor(name resultKey) *reportedReasons {
	r, ok := t.reported[name]
	if !ok {
		r = &reportedReasons{failures: map[failure]bool{}, warnings: map[string]bool{}}
		t.reported[name] = r
	}
	return r
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedFailures(m map[failure]bool) []failure {
	keys := make([]failure, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b failure) int {
		return cmp.Or(strings.Compare(a.errorType, b.errorType), strings.Compare(a.agentCode, b.agentCode))
	})
	return keys
}

func boolValue(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// logs makes one record per result that on_change or every_run selects. on_change compares
// with the probe's last record handed off (handedOffState), not with the last run: what a
// busy or refusing pipeline lost is sent again by the next run. Nothing is remembered until
// the batch is handed off (handedOff.handOff).
func (t *telemetry) logs(results []Result, now time.Time) logsBatch {
	ts := pcommon.NewTimestampFromTime(now)
	b := t.handedOffState.newBatch()
	for _, r := range results {
		outcome, key := outcomeKey(&r), keyOf(&r.Evidence)
		if !t.resultEvents || (!t.handedOffState.changed(key, outcome) && !t.emitEvery) {
			continue
		}
		if t.handedOffState.settingsNamed(key) {
			r.SettingsFrom = nil // the first record of each probe names them
		} else {
			b.named = append(b.named, key)
		}
		b.outcomes[key] = outcome
		lr := plog.NewLogRecord()
		fillLogRecord(lr, &r, ts, t.instance)
		t.lb.AppendLogRecord(lr)
	}
	b.logs = t.lb.Emit(metadata.WithLogsResource(t.resource()))
	return b
}

func outcomeKey(r *Result) string {
	return fmt.Sprintf("%t|%s|%s", r.Verdict.Passed, r.Verdict.ErrorType, strings.Join(r.Verdict.Warnings, ","))
}

func fillLogRecord(lr plog.LogRecord, r *Result, ts pcommon.Timestamp, instance string) {
	ev, v := &r.Evidence, &r.Verdict
	lr.SetEventName(EventName)
	lr.SetTimestamp(ts)
	lr.SetObservedTimestamp(ts)
	switch {
	case !v.Passed:
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
	case len(v.Warnings) > 0:
		lr.SetSeverityNumber(plog.SeverityNumberWarn)
		lr.SetSeverityText("WARN")
	default:
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		lr.SetSeverityText("INFO")
	}
	body := v.Summary()
	if remedy := v.FullRemedy(); remedy != "" {
		body += " What to do: " + remedy
	}
	lr.Body().SetStr(scrub.Control(body)) // it quotes others' text; a log viewer is a terminal too

	a := lr.Attributes()
	a.EnsureCapacity(logAttributesCapacity) // one slice, not one per doubling
	a.PutStr(attrProbeName, string(ev.Probe))
	putNonEmpty(a, attrInstance, instance)
	putStrings(a, attrSettingsFrom, r.SettingsFrom)
	a.PutBool(attrSuccess, v.Passed)
	if !v.Passed {
		a.PutStr(string(semconv.ErrorTypeKey), v.ErrorType)
		a.PutStr(attrAgentErrorCode, v.AgentErrorCode)
	}
	putStrings(a, attrWarnings, v.Warnings)
	putNonEmpty(a, attrRemedy, v.FullRemedy())
	putNonEmpty(a, attrAnsweredBy, v.Facts.AnsweredBy)
	putNonEmpty(a, string(semconv.NetworkPeerAddressKey), ev.Main.PeerAddress)
	a.PutStr(string(semconv.URLFullKey), ev.URL)
	a.PutStr(string(semconv.ServerAddressKey), ev.ServerAddress)
	a.PutInt(string(semconv.ServerPortKey), int64(ev.ServerPort))
	if ev.Main.Response != nil {
		a.PutInt(string(semconv.HTTPResponseStatusCodeKey), int64(ev.Main.Response.Status))
	}
	putNonEmpty(a, attrProxy, ev.Proxy)
	putNonEmpty(a, attrProxySource, ev.ProxySource)
	putNonEmpty(a, attrProxyParent, v.Facts.ProxyParent)
	if v.Facts.BodySize > 0 {
		a.PutInt(attrRequestBodySize, v.Facts.BodySize)
	}
	if strings.HasPrefix(ev.URL, "https://") {
		putNonEmpty(a, attrRootsSource, ev.Client.RootsSource)
	}
	putDial(a, &ev.Main)
	putNonEmpty(a, string(semconv.TLSProtocolVersionKey), tlsProtocolVersions[ev.Main.TLSVersion])
	putNonEmpty(a, attrAnchorSubject, v.Facts.AnchorSubject)
	if c := v.Facts.Certificate; c != nil {
		a.PutStr(string(semconv.TLSServerIssuerKey), c.Issuer)
		a.PutStr(string(semconv.TLSServerSubjectKey), c.Subject)
		a.PutStr(string(semconv.TLSServerNotAfterKey), c.NotAfter.UTC().Format(time.RFC3339))
		// semconv writes certificate hashes in upper-case hex.
		a.PutStr(string(semconv.TLSServerHashSha256Key), strings.ToUpper(c.SHA256))
		putStrings(a, attrSANs, c.DNSNames)
	}
	// Scrubbed with the other facts: a certificate's subject is the server's to choose.
	putNonEmpty(a, attrEarliestExpirySubject, v.Facts.EarliestExpirySubject)
	putStrings(a, attrMissingPrivileges, v.Facts.MissingPrivileges)
	putNonEmpty(a, attrRoleDefinition, v.RoleDefinition)
	if v.Facts.InContainer {
		a.PutBool(attrInContainer, true)
	}
	if v.Facts.Location != "" {
		// semconv types http.response.header.<key> as a string slice: one value per header line.
		putStrings(a, string(semconv.HTTPResponseHeader("location").Key), []string{v.Facts.Location})
	}
}

// logAttributesCapacity holds a passing HTTPS result's attributes (about 20) in one allocation.
const logAttributesCapacity = 24

// Attributes of autoops.probe.result that semconv does not name: ours, in our namespace.
const (
	attrProbeName             = "autoops.probe.name"
	attrSuccess               = "autoops.probe.success"
	attrWarnings              = "autoops.probe.warnings"
	attrRemedy                = "autoops.probe.remedy"
	attrAnsweredBy            = "autoops.probe.answered_by"
	attrProxy                 = "autoops.probe.proxy"
	attrSANs                  = "autoops.probe.tls.subject_alternative_names"
	attrMissingPrivileges     = "autoops.probe.missing_privileges"
	attrRoleDefinition        = "autoops.probe.role_definition"
	attrInContainer           = "autoops.probe.in_container"
	attrInstance              = "autoops.probe.instance"
	attrEarliestExpirySubject = "autoops.probe.tls.earliest_expiry.subject"
	attrSettingsFrom          = "autoops.probe.settings_from"
	attrProxySource           = "autoops.probe.proxy.source"
	attrRootsSource           = "autoops.probe.tls.roots.source"
	attrAgentErrorCode        = "autoops.agent.error_code"
	attrFailedAddresses       = "autoops.probe.dial.failed_addresses"
	attrAnchorSubject         = "autoops.probe.tls.anchor.subject"
	attrProxyParent           = "autoops.probe.proxy.parent"
	attrRequestBodySize       = "autoops.probe.request.body_size"
)

// tlsProtocolVersions are semconv's tls.protocol.version values of the versions Go negotiates.
var tlsProtocolVersions = map[uint16]string{tls.VersionTLS10: "1.0", tls.VersionTLS11: "1.1", tls.VersionTLS12: "1.2", tls.VersionTLS13: "1.3"}

// putDial: the family of the address connected to (semconv network.type) and the addresses
// tried that did not connect.
func putDial(a pcommon.Map, ex *probe.Exchange) {
	if ex.Progress.Connected {
		putNonEmpty(a, string(semconv.NetworkTypeKey), probe.FamilyOf(ex.PeerAddress))
	}
	putStrings(a, attrFailedAddresses, ex.FailedAddresses)
}

func putNonEmpty(a pcommon.Map, key, value string) {
	if value != "" {
		a.PutStr(key, value)
	}
}

func putStrings(a pcommon.Map, key string, values []string) {
	if len(values) == 0 {
		return
	}
	s := a.PutEmptySlice(key)
	for _, v := range values {
		s.AppendEmpty().SetStr(v)
	}
}

// reportStatus tells the host about a change: OK while every probe passes, RecoverableError
// naming the failed probes and their error.type otherwise.
func (t *telemetry) reportStatus(results []Result) {
	var failed []string
	for _, r := range results {
		if !r.Verdict.Passed {
			failed = append(failed, fmt.Sprintf("%s: %s", r.Evidence.Probe, r.Verdict.ErrorType))
		}
	}
	slices.Sort(failed)
	key := "ok"
	if len(failed) > 0 {
		key = "probes failing: " + strings.Join(failed, "; ")
	}
	if key == t.lastStatus {
		return
	}
	t.lastStatus = key
	if len(failed) == 0 {
		componentstatus.ReportStatus(t.host, componentstatus.NewEvent(componentstatus.StatusOK))
		return
	}
	componentstatus.ReportStatus(t.host, componentstatus.NewRecoverableErrorEvent(errors.New(key)))
}
