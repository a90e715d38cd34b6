package agentconfig

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// layout is where one way of installing the agent keeps its versioned homes
// (data/elastic-agent-<version>[-SNAPSHOT]-<hash6>/ since 8.13.0, data/elastic-agent-<hash6>/ in
// archives and images), the symlink that names the running home, and the active-commit file.
// docs/agent-version-detection.md names the Elastic source of each path.
type layout struct {
	data, link, commit string
}

// layouts, in the order DetectVersion tries them.
var layouts = []layout{
	// `elastic-agent install` (what install_autoops.sh runs) on Linux: /opt/Elastic/Agent.
	{data: "/opt/Elastic/Agent/data", link: "/opt/Elastic/Agent/elastic-agent", commit: "/opt/Elastic/Agent/.elastic-agent.active.commit"},
	// The Docker images (elastic-agent, elastic-otel-collector[-wolfi]): /usr/share/elastic-agent.
	{data: "/usr/share/elastic-agent/data", link: "/usr/share/elastic-agent/elastic-agent", commit: "/usr/share/elastic-agent/.elastic-agent.active.commit"},
	// The deb and rpm packages.
	{data: "/var/lib/elastic-agent/data", link: "/usr/share/elastic-agent/bin/elastic-agent", commit: "/etc/elastic-agent/.elastic-agent.active.commit"},
}

// homeName is a versioned home's directory name: elastic-agent-<hash6> or
// elastic-agent-<version>-<hash6> (the version may carry -SNAPSHOT or a qualifier).
var homeName = regexp.MustCompile(`^elastic-agent-(?:(.+)-)?([0-9a-f]{6})$`)

// DetectVersion reads the agent's version where its installation records it, without running
// the agent: read is os.ReadFile, list returns a directory's entry names and readlink is
// os.Readlink in production; tests pass a fake file system. It returns the version and the path
// it was read from ("" and the unknown version when nowhere, or when an installation holds
// several homes and neither the agent's symlink nor its active-commit file tells which runs).
func DetectVersion(read func(path string) ([]byte, error), list func(dir string) ([]string, error), readlink func(path string) (string, error)) (Version, string) {
	for _, l := range layouts {
		home, ok := l.activeHome(read, list, readlink)
		if !ok {
			continue
		}
		if v, where := homeVersion(home, read); v.Known() {
			return v, where
		}
	}
	return Version{}, ""
}

// activeHome is the versioned home the agent runs from: the one its symlink points into, else
// the one whose hash begins the active commit, else the only one.
func (l layout) activeHome(read func(string) ([]byte, error), list func(string) ([]string, error), readlink func(string) (string, error)) (string, bool) {
	names, err := list(l.data)
	if err != nil {
		return "", false
	}
	var homes []string
	for _, n := range names {
		if homeName.MatchString(n) {
			homes = append(homes, n)
		}
	}
	switch len(homes) {
	case 0:
		return "", false
	case 1:
		return path.Join(l.data, homes[0]), true
	}
	if readlink != nil {
		if target, err := readlink(l.link); err == nil {
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(l.link), target)
			}
			dir := path.Dir(path.Clean(target))
			if path.Dir(dir) == l.data && slices.Contains(homes, path.Base(dir)) {
				return dir, true
			}
		}
	}
	if b, err := read(l.commit); err == nil {
		if commit := strings.TrimSpace(string(b)); len(commit) >= 6 {
			var match []string
			for _, h := range homes {
				if homeName.FindStringSubmatch(h)[2] == commit[:6] {
					match = append(match, h)
				}
			}
			if len(match) == 1 {
				return path.Join(l.data, match[0]), true
			}
		}
	}
	return "", false
}

// homeVersion reads a versioned home's package.version (8.10.0 on), else its manifest.yaml
// (package.version; 8.13.0 on, in installed homes), else the version in its name.
func homeVersion(home string, read func(string) ([]byte, error)) (Version, string) {
	if b, err := read(path.Join(home, "package.version")); err == nil {
		if v, err := ParseVersion(string(b)); err == nil && v.Known() {
			return v, path.Join(home, "package.version")
		}
	}
	if b, err := read(path.Join(home, "manifest.yaml")); err == nil {
		var m struct {
			Kind    string `yaml:"kind"`
			Package struct {
				Version string `yaml:"version"`
			} `yaml:"package"`
		}
		if yaml.Unmarshal(b, &m) == nil && m.Kind == "PackageManifest" {
			if v, err := ParseVersion(m.Package.Version); err == nil && v.Known() {
				return v, path.Join(home, "manifest.yaml")
			}
		}
	}
	if s := homeName.FindStringSubmatch(path.Base(home)); s != nil && s[1] != "" {
		if v, err := ParseVersion(s[1]); err == nil && v.Known() {
			return v, home
		}
	}
	return Version{}, ""
}
