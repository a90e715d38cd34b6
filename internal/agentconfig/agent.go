package agentconfig

import (
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// DefaultPath is where Elastic's Linux installer puts the agent's configuration.
const DefaultPath = "/opt/Elastic/Agent/elastic-agent.yml"

// DefaultRegistrationURL is the registration base URL when ELASTIC_CLOUD_CONNECTED_MODE_API_URL
// is unset or empty.
const DefaultRegistrationURL = "https://api.elastic-cloud.com"

// Finding is a mistake in the agent's configuration, found before any probe runs.
type Finding struct {
	Finding string `json:"finding"`
	Key     string `json:"key"`
	Message string `json:"message"`
	Remedy  string `json:"remedy"`
}

// The findings of contract v3.
const (
	CAOnSomeModules = "ca_on_some_modules"
	// CANotAList is retired (contract v5): a scalar is a one-item list; never found.
	CANotAList           = "ca_not_a_list"
	CAFileUnusable       = "ca_file_unusable"
	EnvUnset             = "env_unset"
	BothAuth             = "both_auth"
	TokenHeaderMissing   = "token_header_missing"
	VerificationDisabled = "verification_disabled"
	ModulesDisagree      = "modules_disagree"
)

// The findings of contract v5 ("What the agent reads before it connects").
const (
	AgentConfigInvalid   = "agent_config_invalid"
	EnvValueNotAString   = "env_value_not_a_string"
	ValueTrailingNewline = "value_trailing_newline"
)

// Remedies of the findings: one row each.
var Remedies = map[string]string{
	CAOnSomeModules:      "Add the same ssl.certificate_authorities list to every autoops_es module: the custom-certificate guide puts the CA on each, and the module without it fails with an unknown authority.",
	CANotAList:           "Nothing: retired in contract v5, as the agent takes a single ssl.certificate_authorities value as a one-item list.",
	CAFileUnusable:       "Give ssl.certificate_authorities (or AUTOOPS_CA_CERT / AUTOOPS_ES_CA) a readable PEM file holding the cluster's CA certificate, or the PEM text itself (the path is read where the agent runs: inside its container or pod).",
	EnvUnset:             "Set the variable where the agent runs (the systemd drop-in, docker run -e or --env-file, the Kubernetes Secret), or give a default with ${env:NAME:-value}.",
	BothAuth:             "Choose one type of authentication only: unset the API key (AUTOOPS_ES_API_KEY, ELASTICSEARCH_READ_API_KEY, the module's api_key), or the username and password, wherever they are set; the agent does not start with both.",
	TokenHeaderMissing:   "Give the otlphttp exporter the header Authorization: \"AutoOpsToken ${env:AUTOOPS_TOKEN}\", as Elastic's sample does: without it the intake refuses every export.",
	VerificationDisabled: "Set ssl.verification_mode back to full (and insecure_skip_verify to false) and give the CA instead: with verification off the agent connects, but trusts anyone in the path.",
	ModulesDisagree:      "Give every autoops_es module the same hosts and credentials: the modules must reach the same cluster.",
	AgentConfigInvalid:   "Write a default as ${env:NAME:-default} (with env:): the agent's collector reads ${NAME:-default} as an invalid reference and refuses the whole file, so the agent does not start. A $ inside a reference is refused too; write $$ for a literal $ outside one.",
	EnvValueNotAString:   "Give the variable the text the key needs where the agent runs (not empty, and not a value YAML reads as a number or a boolean, such as 0123, true or 1e3), or write the key's value in the module itself: a ${env:NAME} that is the whole value is read as YAML (quotes around it do not change that), so such a value is not a string and the module stops with \"can not convert 'object' into 'string'\".",
	ValueTrailingNewline: "Remove the newline at the end of the value: a Kubernetes Secret made from a file (kubectl create secret --from-file, or echo without -n) keeps it, and the agent sends it as part of the credential, which the server refuses. Use printf '%s' or --from-literal.",
	DropinLineIgnored:    "Write the value so systemd takes it: %% for each % (systemd reads % as a specifier), a quoted value for spaces, only the escapes systemd.syntax(7) lists; or move the variable to an EnvironmentFile= file, where % is literal. Then run systemctl daemon-reload and restart elastic-agent.",
}

// doc is a YAML document read as maps, lists and scalars.
type doc = map[string]any

// module is one autoops_es module with its key path.
type module struct {
	path string
	m    doc
}

const modulesPath = "receivers.metricbeatreceiver.metricbeat.modules"

// fromFile derives the three probes' settings from the agent's configuration file: the first
// autoops_es module for the cluster (every module is checked against it), the otlphttp (or
// otlp_http) exporter for the intake.
func (d *deriver) fromFile(m *Model, path string) error {
	raw, err := d.read(path, MaxFileSize)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s does not exist", path)
		}
		return fmt.Errorf("%s cannot be read: %w", path, errors.Unwrap(err))
	}
	var root doc
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return fmt.Errorf("%s is not YAML: %w", path, err)
	}
	d.refusedReferences(root, "")
	modules, err := autoopsModules(root)
	if err != nil {
		return fmt.Errorf("%s is not the AutoOps agent's configuration: %w", path, err)
	}
	d.typedValues(modules)
	if err := d.cluster(&m.Cluster, &m.Registration, modules); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	d.exporter(&m.OTLP, root)
	return nil
}

func autoopsModules(root doc) ([]module, error) {
	list, ok := get(root, modulesPath).([]any)
	if !ok {
		return nil, errors.New("it has no " + modulesPath + " list")
	}
	var out []module
	for i, item := range list {
		if m, ok := item.(doc); ok && m["module"] == "autoops_es" {
			out = append(out, module{path: fmt.Sprintf("%s[%d]", modulesPath, i), m: m})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no module under " + modulesPath + " is autoops_es")
	}
	return out, nil
}

// get reads a dotted key path, where each step may also be written as one dotted key
// (Beats' ssl.certificate_authorities and ssl: {certificate_authorities: ...} alike).
func get(m doc, path string) any {
	if v, ok := m[path]; ok {
		return v
	}
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i >= 1; i-- {
		head := strings.Join(parts[:i], ".")
		if sub, ok := m[head].(doc); ok {
			if v := get(sub, strings.Join(parts[i:], ".")); v != nil {
				return v
			}
		}
	}
	return nil
}

type deriver struct {
	lookup   Lookup
	read     func(path string, limit int64) ([]byte, error)
	findings []Finding
}

func (d *deriver) find(finding, key, format string, args ...any) {
	d.findings = append(d.findings, Finding{Finding: finding, Key: key, Message: fmt.Sprintf(format, args...), Remedy: Remedies[finding]})
}

// str resolves the scalar at key, with the key path as its source; lists give their first item.
func (d *deriver) str(m doc, base, key string) Value {
	v := get(m, key)
	if list, ok := v.([]any); ok && len(list) > 0 {
		v = list[0]
	}
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return Value{}
		}
		s = fmt.Sprint(v)
	}
	return d.resolved(s, base+"."+key)
}

// resolved resolves s, read from the key path from, with a finding per unset variable.
func (d *deriver) resolved(s, from string) Value {
	r := resolve(s, d.lookup)
	for _, name := range r.unset {
		d.find(EnvUnset, from, "%s reads ${env:%s}, which is unset or empty where this runs", from, name)
	}
	return Value{r.value, from}
}

// verificationModes are the values of the module's ssl.verification_mode.
var verificationModes = []string{"full", "strict", "certificate", "none"}

func (d *deriver) cluster(c *Cluster, reg *Registration, modules []module) error {
	first := modules[0]
	c.Endpoint = d.str(first.m, first.path, "hosts")
	c.APIKey = d.str(first.m, first.path, "api_key")
	c.Username = d.str(first.m, first.path, "username")
	c.Password = d.str(first.m, first.path, "password")
	c.VerificationMode = d.str(first.m, first.path, "ssl.verification_mode")
	c.CATrustedFingerprint = d.str(first.m, first.path, "ssl.ca_trusted_fingerprint")
	c.ClientCert = d.str(first.m, first.path, "ssl.certificate")
	c.ClientKey = d.str(first.m, first.path, "ssl.key")
	c.Proxy = d.str(first.m, first.path, "proxy_url")
	d.moduleClient(c, first)
	// Registration's key unless its variable is set (registration); an empty one is no key.
	if v := d.str(first.m, first.path, "ccm.api_key"); v.Set() {
		reg.APIKey = v
	}
	d.normalizeHost(c)
	if mode := c.VerificationMode.V; mode != "" && !slices.Contains(verificationModes, mode) {
		return fmt.Errorf("%s: %q is not one of %s: the agent refuses to start with it", c.VerificationMode.From, mode, strings.Join(verificationModes, ", "))
	}
	if c.VerificationMode.V == "none" {
		d.find(VerificationDisabled, c.VerificationMode.From, "%s is none: the agent does not verify the cluster's certificate", c.VerificationMode.From)
	}
	withCA := 0
	for _, mod := range modules {
		cas := get(mod.m, "ssl.certificate_authorities")
		key := mod.path + ".ssl.certificate_authorities"
		var items []any
		switch list := cas.(type) {
		case nil:
			continue
		case string:
			// go-ucfg wraps a scalar in a one-item list: the agent takes it (ca_not_a_list
			// is retired, contract v5).
			items = []any{list}
		case []any:
			items = list
		default:
			d.find(CAFileUnusable, key, "%s holds neither a path, PEM text nor a list of them", key)
			continue
		}
		withCA++
		var found []CA
		for _, item := range items {
			if v := d.resolved(fmt.Sprint(item), key); v.Set() {
				found = d.certificateAuthority(key, v.V, found)
			}
		}
		if mod.path == first.path {
			c.CAs = found
		}
	}
	if withCA > 0 && withCA < len(modules) {
		d.find(CAOnSomeModules, modulesPath, "ssl.certificate_authorities is set on %d of the %d autoops_es modules", withCA, len(modules))
	}
	for _, mod := range modules[1:] {
		for _, key := range []string{"hosts", "api_key", "username", "password"} {
			if resolve(fmt.Sprint(get(mod.m, key)), d.lookup).value != resolve(fmt.Sprint(get(first.m, key)), d.lookup).value {
				d.find(ModulesDisagree, mod.path+"."+key, "%s.%s differs from %s.%s", mod.path, key, first.path, key)
			}
		}
	}
	return nil
}

// The CA list is bounded as a whole as well as each file: a list naming one large bundle
// 150 times would otherwise be read, and held, 150 times.
const (
	MaxCAs         = 64
	MaxCATotalSize = MaxCABundleSize
)

// certificateAuthority adds one ssl.certificate_authorities item: PEM text itself (Beats
// takes a value that begins with -----BEGIN as PEM) or the path of a PEM file. A file named
// twice is read once; past MaxCAs items or MaxCATotalSize bytes in the list, nothing more is
// read. A finding never quotes a value that may be key material (scrub.MayBeKeyMaterial).
func (d *deriver) certificateAuthority(from, value string, list []CA) []CA {
	total := 0
	for _, ca := range list {
		if ca.Path != "" && filepath.Clean(ca.Path) == filepath.Clean(value) {
			return list
		}
		total += len(ca.PEM)
	}
	tooMuch := fmt.Sprintf("the certificate authorities in %s hold more than %s in total: the rest are not read", from, size(MaxCATotalSize))
	tooMany := fmt.Sprintf("%s names more than %d certificate authorities: the agent model reads the first %d", from, MaxCAs, MaxCAs)
	switch {
	case d.found(from, tooMuch) || d.found(from, tooMany):
		return list // said once
	case len(list) >= MaxCAs:
		d.find(CAFileUnusable, from, "%s", tooMany)
		return list
	}
	if IsPEM(value) {
		if !holdsPEM([]byte(value), "CERTIFICATE") {
			d.find(CAFileUnusable, from, "the PEM text in %s holds no certificate", from)
			return list
		}
		if total+len(value) > MaxCATotalSize {
			d.find(CAFileUnusable, from, "%s", tooMuch)
			return list
		}
		return append(list, CA{PEM: []byte(value), From: from})
	}
	limit := int64(min(MaxCABundleSize, MaxCATotalSize-total))
	raw, err := d.read(value, limit)
	if err == nil && int64(len(raw)) > limit { // a reader given to Resolve may not bound it
		raw, err = nil, tooLarge(value, limit)
	}
	if err == nil && !holdsPEM(raw, "CERTIFICATE") {
		err = errors.New("holds no PEM certificate")
	}
	switch {
	case err != nil && errors.Is(err, ErrTooLarge) && limit < MaxCABundleSize:
		d.find(CAFileUnusable, from, "%s", tooMuch)
		return list
	case err != nil && scrub.MayBeKeyMaterial(value):
		d.find(CAFileUnusable, from, "%s holds a value that is neither PEM text nor a readable file; it is not shown, as it may be key material (a key's base64 without its PEM header?)", from)
		return list
	case err != nil:
		d.find(CAFileUnusable, from, "%s names %s, which %s", from, scrub.Control(value), fileProblem(err))
		return list
	}
	return append(list, CA{PEM: raw, Path: value, From: from})
}

// found: a finding with this key and message was made already.
func (d *deriver) found(key, msg string) bool {
	for _, f := range d.findings {
		if f.Key == key && f.Message == msg {
			return true
		}
	}
	return false
}

// IsPEM: a value that begins with -----BEGIN is PEM text, not a path (as Beats reads it).
func IsPEM(s string) bool { return strings.HasPrefix(strings.TrimSpace(s), "-----BEGIN") }

func fileProblem(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "does not exist"
	case errors.Is(err, os.ErrPermission):
		return "cannot be read (permission denied)"
	case errors.Is(err, ErrNotRegular), errors.Is(err, ErrTooLarge):
		return "is " + errors.Unwrap(err).Error()
	case strings.Contains(err.Error(), "PEM"):
		return err.Error()
	}
	return "cannot be read"
}

func holdsPEM(raw []byte, kind string) bool {
	for block, rest := pem.Decode(raw); block != nil; block, rest = pem.Decode(rest) {
		if strings.HasSuffix(block.Type, kind) {
			return true
		}
	}
	return false
}

func (d *deriver) exporter(o *OTLP, root doc) {
	const exporters = "exporters"
	name := ""
	for _, n := range []string{"otlphttp", "otlp_http"} {
		if _, ok := get(root, exporters+"."+n).(doc); ok {
			name = n
			break
		}
	}
	if name == "" {
		return
	}
	base := exporters + "." + name
	e := get(root, base).(doc)
	o.Endpoint = d.str(e, base, "endpoint")
	o.Proxy = d.str(e, base, "proxy_url")
	o.CAFile = d.str(e, base, "tls.ca_file")
	o.CertFile = d.str(e, base, "tls.cert_file")
	o.KeyFile = d.str(e, base, "tls.key_file")
	o.CAPEM = d.str(e, base, "tls.ca_pem")
	// configtls: a CA of its own replaces the system roots unless this is true.
	o.IncludeSystemCAs = get(e, "tls.include_system_ca_certs_pool") == true
	if get(e, "tls.insecure_skip_verify") == true {
		o.InsecureSkipVerify = true
		d.find(VerificationDisabled, base+".tls.insecure_skip_verify", "%s.tls.insecure_skip_verify is true: the agent does not verify the intake's certificate", base)
	}
	auth := Value{}
	if headers, ok := get(e, "headers").(doc); ok {
		for k := range headers {
			if strings.EqualFold(k, "Authorization") {
				auth = d.str(headers, base+".headers", k)
			}
		}
	}
	token, ok := strings.CutPrefix(auth.V, "AutoOpsToken ")
	if !ok || strings.TrimSpace(token) == "" {
		d.find(TokenHeaderMissing, base+".headers", "%s sends no Authorization: AutoOpsToken header", base)
		return
	}
	// Spaces go, a newline stays: the agent's header carries it (contract v5).
	o.Token = Value{strings.Trim(token, " \t"), auth.From}
}

// unescape undoes URL escapes in the user:password@ of a host, as url.Parse would.
func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// PEMFile checks that path is a readable regular file holding a PEM block of kind
// (CERTIFICATE, PRIVATE KEY): the probes' tls files. It runs before the collector's configtls
// opens them, so a FIFO or a device there is refused here, never opened by configtls.
// Certificates may be a CA bundle (MaxCABundleSize); a key is at most MaxFileSize.
func PEMFile(path, kind string) error {
	_, err := ReadPEMFile(path, kind)
	return err
}

// ReadPEMFile is PEMFile, with what it read: the caller need not read the file again.
func ReadPEMFile(path, kind string) ([]byte, error) {
	limit := int64(MaxFileSize)
	if kind == "CERTIFICATE" {
		limit = MaxCABundleSize
	}
	raw, err := ReadFile(path, limit)
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, ErrNotRegular), errors.Is(err, ErrTooLarge):
		return nil, errors.New("is " + errors.Unwrap(err).Error())
	case errors.As(err, &pathErr) && pathErr.Op == "stat":
		return nil, errors.New("cannot be read (it does not exist, or a directory on the way is not readable)")
	case err != nil:
		return nil, errors.New("cannot be read (permission denied?)")
	}
	if err := PEMText(string(raw), kind); err != nil {
		return nil, err
	}
	return raw, nil
}

// Sorted returns the findings in a stable order: by finding, then key.
func Sorted(f []Finding) []Finding {
	out := slices.Clone(f)
	slices.SortStableFunc(out, func(a, b Finding) int { return strings.Compare(a.Finding+a.Key, b.Finding+b.Key) })
	return slices.CompactFunc(out, func(a, b Finding) bool { return a == b })
}
