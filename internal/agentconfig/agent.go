package agentconfig

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultPath is where Elastic's Linux installer puts the agent's configuration.
const DefaultPath = "/opt/Elastic/Agent/elastic-agent.yml"

// DefaultRegistrationURL is the registration base URL when ELASTIC_CLOUD_CONNECTED_MODE_API_URL
// is unset.
const DefaultRegistrationURL = "https://api.elastic-cloud.com"

// Settings are what the agent connects with, derived from its configuration.
type Settings struct {
	ClusterURL                 string
	APIKey, Username, Password string
	// CAFiles are the first module's ssl.certificate_authorities.
	CAFiles []string
	// VerificationMode is ssl.verification_mode: full (default), strict, certificate, none.
	VerificationMode      string
	ClientCert, ClientKey string
	ClusterProxy          string

	OTLPEndpoint, Token        string
	OTLPCAFile                 string
	OTLPInsecureSkipVerify     bool
	OTLPCertFile, OTLPKeyFile  string
	OTLPProxy, RegistrationURL string
}

// Finding is a mistake in the agent's configuration, found before any probe runs.
type Finding struct {
	Finding string `json:"finding"`
	Key     string `json:"key"`
	Message string `json:"message"`
	Remedy  string `json:"remedy"`
}

// The findings of contract v3.
const (
	CAOnSomeModules      = "ca_on_some_modules"
	CANotAList           = "ca_not_a_list"
	CAFileUnusable       = "ca_file_unusable"
	EnvUnset             = "env_unset"
	BothAuth             = "both_auth"
	TokenHeaderMissing   = "token_header_missing"
	VerificationDisabled = "verification_disabled"
	ModulesDisagree      = "modules_disagree"
)

// Remedies of the findings: one row each.
var Remedies = map[string]string{
	CAOnSomeModules:      "Add the same ssl.certificate_authorities list to every autoops_es module: the custom-certificate guide puts the CA on both, and the module without it fails with an unknown authority.",
	CANotAList:           "Write ssl.certificate_authorities as a YAML list (- ${env:AUTOOPS_CA_CERT}): as a string the agent fails with \"can not convert 'object' into 'string'\".",
	CAFileUnusable:       "Point ssl.certificate_authorities at a readable PEM file holding the cluster's CA certificate (the path is read where the agent runs: inside its container or pod).",
	EnvUnset:             "Set the variable where the agent runs (the systemd drop-in, docker run -e or --env-file, the Helm chart's Secret), or give a default with ${env:NAME:-value}.",
	BothAuth:             "Choose one type of authentication only: remove api_key, or username and password, from the autoops_es modules.",
	TokenHeaderMissing:   "Give the otlphttp exporter the header Authorization: \"AutoOpsToken ${env:AUTOOPS_TOKEN}\", as Elastic's sample does: without it the intake refuses every export.",
	VerificationDisabled: "Set ssl.verification_mode back to full (and insecure_skip_verify to false) and give the CA instead: with verification off the agent connects, but trusts anyone in the path.",
	ModulesDisagree:      "Give every autoops_es module the same hosts and credentials: the metrics module and the templates module must reach the same cluster.",
}

// doc is a YAML document read as maps, lists and scalars.
type doc = map[string]any

// Load reads the agent's configuration at path, resolving ${env:...} with lookup, and derives
// the settings the probes use and the findings about them. A file that is not the agent's shape
// is one error, not a crash.
func Load(path string, lookup Lookup) (*Settings, []Finding, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("--agent-config: %w", err)
	}
	var root doc
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, nil, fmt.Errorf("--agent-config: %s is not YAML: %w", path, err)
	}
	modules, err := autoopsModules(root)
	if err != nil {
		return nil, nil, fmt.Errorf("--agent-config: %s is not the AutoOps agent's configuration: %w", path, err)
	}
	d := &deriver{lookup: lookup}
	s := &Settings{RegistrationURL: DefaultRegistrationURL}
	if v, ok := lookup("ELASTIC_CLOUD_CONNECTED_MODE_API_URL"); ok && v != "" {
		s.RegistrationURL = v
	}
	d.cluster(s, modules)
	d.exporter(s, root)
	return s, d.findings, nil
}

// module is one autoops_es module with its key path.
type module struct {
	path string
	m    doc
}

const modulesPath = "receivers.metricbeatreceiver.metricbeat.modules"

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
	findings []Finding
}

func (d *deriver) find(finding, key, format string, args ...any) {
	d.findings = append(d.findings, Finding{Finding: finding, Key: key, Message: fmt.Sprintf(format, args...), Remedy: Remedies[finding]})
}

// str resolves the scalar at key; lists give their first item.
func (d *deriver) str(m doc, base, key string) string {
	v := get(m, key)
	if list, ok := v.([]any); ok && len(list) > 0 {
		v = list[0]
	}
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return ""
		}
		s = fmt.Sprint(v)
	}
	r := resolve(s, d.lookup)
	for _, name := range r.unset {
		d.find(EnvUnset, base+"."+key, "%s reads ${env:%s}, which is unset or empty where this runs", base+"."+key, name)
	}
	return r.value
}

func (d *deriver) cluster(s *Settings, modules []module) {
	first := modules[0]
	s.ClusterURL = d.str(first.m, first.path, "hosts")
	s.APIKey = d.str(first.m, first.path, "api_key")
	s.Username = d.str(first.m, first.path, "username")
	s.Password = d.str(first.m, first.path, "password")
	s.VerificationMode = d.str(first.m, first.path, "ssl.verification_mode")
	s.ClientCert = d.str(first.m, first.path, "ssl.certificate")
	s.ClientKey = d.str(first.m, first.path, "ssl.key")
	s.ClusterProxy = d.str(first.m, first.path, "proxy_url")
	if s.APIKey != "" && (s.Username != "" || s.Password != "") {
		d.find(BothAuth, first.path, "%s sets both api_key and username/password", first.path)
	}
	if s.VerificationMode == "none" {
		d.find(VerificationDisabled, first.path+".ssl.verification_mode", "%s.ssl.verification_mode is none: the agent does not verify the cluster's certificate", first.path)
	}
	withCA := 0
	for _, mod := range modules {
		cas := get(mod.m, "ssl.certificate_authorities")
		key := mod.path + ".ssl.certificate_authorities"
		switch list := cas.(type) {
		case nil:
			continue
		case string:
			d.find(CANotAList, key, "%s is a string, not a list", key)
			list2 := []any{list}
			cas = list2
		case []any:
		default:
			d.find(CANotAList, key, "%s is not a list of paths", key)
			continue
		}
		withCA++
		var files []string
		for _, item := range cas.([]any) {
			r := resolve(fmt.Sprint(item), d.lookup)
			for _, name := range r.unset {
				d.find(EnvUnset, key, "%s reads ${env:%s}, which is unset or empty where this runs", key, name)
			}
			if r.value == "" {
				continue
			}
			if err := PEMFile(r.value, "CERTIFICATE"); err != nil {
				d.find(CAFileUnusable, key, "%s names %s, which %v", key, r.value, err)
				continue
			}
			files = append(files, r.value)
		}
		if mod.path == first.path {
			s.CAFiles = files
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
}

func (d *deriver) exporter(s *Settings, root doc) {
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
	s.OTLPEndpoint = d.str(e, base, "endpoint")
	s.OTLPProxy = d.str(e, base, "proxy_url")
	s.OTLPCAFile = d.str(e, base, "tls.ca_file")
	s.OTLPCertFile = d.str(e, base, "tls.cert_file")
	s.OTLPKeyFile = d.str(e, base, "tls.key_file")
	if get(e, "tls.insecure_skip_verify") == true {
		s.OTLPInsecureSkipVerify = true
		d.find(VerificationDisabled, base+".tls.insecure_skip_verify", "%s.tls.insecure_skip_verify is true: the agent does not verify the intake's certificate", base)
	}
	auth := ""
	if headers, ok := get(e, "headers").(doc); ok {
		for k := range headers {
			if strings.EqualFold(k, "Authorization") {
				auth = d.str(headers, base+".headers", k)
			}
		}
	}
	token, ok := strings.CutPrefix(auth, "AutoOpsToken ")
	if !ok || strings.TrimSpace(token) == "" {
		d.find(TokenHeaderMissing, base+".headers", "%s sends no Authorization: AutoOpsToken header", base)
		return
	}
	s.Token = strings.TrimSpace(token)
}

// PEMFile checks that path is a readable file holding a PEM block of kind (CERTIFICATE,
// PRIVATE KEY): the agent's CA paths and the probes' tls files alike.
func PEMFile(path, kind string) error {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return errors.New("cannot be read (it does not exist, or a directory on the way is not readable)")
	case info.IsDir():
		return errors.New("is a directory, not a PEM file")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return errors.New("cannot be read (permission denied?)")
	}
	for block, rest := pem.Decode(raw); block != nil; block, rest = pem.Decode(rest) {
		if strings.HasSuffix(block.Type, kind) {
			return nil
		}
	}
	return fmt.Errorf("holds no PEM %s block", kind)
}

// Sorted returns the findings in a stable order: by finding, then key.
func Sorted(f []Finding) []Finding {
	out := slices.Clone(f)
	slices.SortStableFunc(out, func(a, b Finding) int { return strings.Compare(a.Finding+a.Key, b.Finding+b.Key) })
	return slices.CompactFunc(out, func(a, b Finding) bool { return a == b })
}
