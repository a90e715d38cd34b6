package agentconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// The agent's service on Linux, as Elastic's installer sets it up (autoops-facts.md, "The
// service's environment on Linux").
const (
	UnitPath      = "/etc/systemd/system/" + ServiceName
	DropInDir     = UnitPath + ".d"
	SysconfigPath = "/etc/sysconfig/elastic-agent"
)

// Bounds on what one service's environment reads: drop-ins in the directory, and files
// named by EnvironmentFile= (after globbing).
const (
	MaxDropIns          = 64
	MaxEnvironmentFiles = 32
)

// installerUnit is what the installer's unit gives the environment, for when the unit file
// is not there to read (the probe runs where the agent is not installed yet).
const installerUnit = "[Service]\nEnvironmentFile=-" + SysconfigPath + "\n"

// DropinLineIgnored is the finding for an assignment systemd ignores.
const DropinLineIgnored = "dropin_line_ignored"

// ServiceFS is how the service's files are read: injected, so that the model stays pure.
type ServiceFS struct {
	// ReadFile reads a file, bounded (ReadFile of this package with MaxFileSize).
	ReadFile func(path string) ([]byte, error)
	// ReadDir lists the names in a directory (fs.ErrNotExist when there is none).
	ReadDir func(dir string) ([]string, error)
	// Host gives the host-dependent specifiers (%H, %m...); nil resolves them empty.
	Host func(specifier byte) (string, bool)
}

// ServiceFile is a file systemd reads for the service's environment, in its order.
type ServiceFile struct {
	Path string
	// Optional: an EnvironmentFile= with a leading -, whose absence is fine.
	Optional bool
	// Missing: not there (an optional environment file, or the unit).
	Missing bool
}

// ServiceEnvironment is the environment systemd gives the service, with every file it came
// from and the findings about assignments systemd ignores.
type ServiceEnvironment struct {
	Env      map[string]string
	Files    []ServiceFile
	Findings []Finding
}

// ReadServiceEnvironment computes the environment systemd gives the unit at unitPath as
// systemd.exec(5) says: the unit's and then every *.conf of unitPath.d/ in lexical order
// (later assignments win; an empty Environment= or EnvironmentFile= resets the list), then
// each EnvironmentFile= in order, over the Environment= lines. A required environment file
// that is missing is an error: systemd does not start the service.
func ReadServiceEnvironment(fsys ServiceFS, unitPath string) (*ServiceEnvironment, error) {
	r := newServiceReader(fsys, unitPath)
	raw, err := fsys.ReadFile(unitPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		r.out.Files = append(r.out.Files, ServiceFile{Path: unitPath, Missing: true})
		raw = []byte(installerUnit)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", unitPath, err)
	default:
		r.out.Files = append(r.out.Files, ServiceFile{Path: unitPath})
	}
	r.apply(unitPath, raw)
	dir := unitPath + ".d"
	names, err := fsys.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var confs []string
	for _, n := range names {
		if strings.HasSuffix(n, ".conf") {
			confs = append(confs, n)
		}
	}
	slices.Sort(confs)
	if len(confs) > MaxDropIns {
		return nil, fmt.Errorf("%s holds %d drop-ins, more than the %d the probe reads", dir, len(confs), MaxDropIns)
	}
	for _, n := range confs {
		if err := r.dropIn(path.Join(dir, n)); err != nil {
			return nil, err
		}
	}
	return r.finish()
}

// ReadDropIn is the environment of one drop-in file alone (the one-shot's --agent-env with a
// .conf): its Environment= lines, then its EnvironmentFile= files. raw is the file's content,
// which the caller has read (bounded) already to tell a drop-in from NAME=VALUE lines.
func ReadDropIn(fsys ServiceFS, file string, raw []byte) (*ServiceEnvironment, error) {
	r := newServiceReader(fsys, UnitPath)
	r.applyDropIn(file, raw)
	return r.finish()
}

type envFileRef struct {
	path     string
	optional bool
	from     string
}

type serviceReader struct {
	fs       ServiceFS
	unit     string
	envFiles []envFileRef
	out      *ServiceEnvironment
}

// newServiceReader memoizes the host's specifiers for one reading: each is looked up (a file
// read and parsed) once, however many lines use it.
func newServiceReader(fsys ServiceFS, unit string) *serviceReader {
	if host := fsys.Host; host != nil {
		type result struct {
			v  string
			ok bool
		}
		memo := map[byte]result{}
		fsys.Host = func(c byte) (string, bool) {
			res, seen := memo[c]
			if !seen {
				res.v, res.ok = host(c)
				memo[c] = res
			}
			return res.v, res.ok
		}
	}
	return &serviceReader{fs: fsys, unit: unit, out: &ServiceEnvironment{Env: map[string]string{}}}
}

func (r *serviceReader) dropIn(file string) error {
	raw, err := r.fs.ReadFile(file)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	r.applyDropIn(file, raw)
	return nil
}

func (r *serviceReader) applyDropIn(file string, raw []byte) {
	r.out.Files = append(r.out.Files, ServiceFile{Path: file})
	r.apply(file, raw)
}

func (r *serviceReader) ignored(file string, line int, name, why string) {
	key := fmt.Sprintf("%s:%d", file, line)
	what := "an assignment"
	if name != "" {
		what = name
	}
	r.out.Findings = append(r.out.Findings, Finding{
		Finding: DropinLineIgnored, Key: key,
		Message: fmt.Sprintf("%s line %d: systemd ignores %s: %s", file, line, what, why), Remedy: Remedies[DropinLineIgnored],
	})
}

// apply takes the Environment= and EnvironmentFile= lines of one file (config_parse_environ
// and config_parse_unit_env_file of systemd's load-fragment.c).
func (r *serviceReader) apply(file string, raw []byte) {
	for _, l := range parseUnitFile(raw) {
		switch l.Key {
		case "Environment":
			r.environment(file, l)
		case "EnvironmentFile":
			if l.Value == "" {
				r.envFiles = nil
				continue
			}
			p, ok := expandSpecifiers(l.Value, r.unit, r.fs.Host)
			if !ok {
				r.ignored(file, l.Line, "EnvironmentFile=", "its path holds a % specifier systemd cannot resolve")
				continue
			}
			ref := envFileRef{path: strings.TrimPrefix(p, "-"), optional: strings.HasPrefix(p, "-"), from: fmt.Sprintf("%s:%d", file, l.Line)}
			if !path.IsAbs(ref.path) {
				r.ignored(file, l.Line, "EnvironmentFile=", "its path is not absolute")
				continue
			}
			r.envFiles = append(r.envFiles, ref)
		}
	}
}

func (r *serviceReader) environment(file string, l unitLine) {
	if l.Value == "" {
		clear(r.out.Env) // an empty Environment= resets the list
		return
	}
	words, partial, err := environmentWords(l.Value)
	for _, w := range words {
		name, _, _ := strings.Cut(w, "=")
		if !envName.MatchString(name) {
			name = ""
		}
		v, ok := expandSpecifiers(w, r.unit, r.fs.Host)
		if !ok {
			r.ignored(file, l.Line, name, "its value holds a % specifier systemd cannot resolve, such as an unknown one (\"Failed to resolve specifiers\"); write %% for a %")
			continue
		}
		n, value, hasEq := strings.Cut(v, "=")
		if !hasEq || !envName.MatchString(n) || !validEnvValue(value) {
			r.ignored(file, l.Line, name, "it is not NAME=VALUE with a variable name and a value without control characters (\"Invalid environment assignment\")")
			continue
		}
		r.out.Env[n] = value
	}
	if err != nil {
		name, _, _ := strings.Cut(partial, "=")
		if !envName.MatchString(name) {
			name = ""
		}
		r.ignored(file, l.Line, name, "the rest of the line, from it on: "+err.Error()+" (\"Invalid syntax\")")
	}
}

// validEnvValue is systemd's env_value_is_valid: UTF-8 without control characters other than
// tab and newline.
func validEnvValue(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, c := range v {
		if (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f {
			return false
		}
	}
	return true
}

// IsDropIn: the file reads as a systemd unit or drop-in (a [Service] section, or Environment=
// lines), not as a list of NAME=VALUE lines.
func IsDropIn(raw []byte) bool {
	for _, l := range strings.Split(string(raw), "\n") {
		l = strings.TrimSpace(l)
		if l == "[Service]" || strings.HasPrefix(l, "Environment=") || strings.HasPrefix(l, "EnvironmentFile=") {
			return true
		}
	}
	return false
}

// OSServiceFS reads the service's files from this machine, each bounded by MaxFileSize.
func OSServiceFS(host func(byte) (string, bool)) ServiceFS {
	return ServiceFS{
		ReadFile: func(p string) ([]byte, error) { return ReadFile(p, MaxFileSize) },
		ReadDir: func(dir string) ([]string, error) {
			entries, err := os.ReadDir(dir)
			names := make([]string, 0, len(entries))
			for _, e := range entries {
				names = append(names, e.Name())
			}
			return names, err
		},
		Host: host,
	}
}
