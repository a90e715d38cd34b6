package agentconfig

import (
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fakeFS is a file system of files (path: content) and symlinks (path: target); directories
// are implied by the files' paths.
type fakeFS struct {
	files, links map[string]string
}

func (f fakeFS) read(p string) ([]byte, error) {
	if c, ok := f.files[p]; ok {
		return []byte(c), nil
	}
	return nil, fs.ErrNotExist
}

func (f fakeFS) list(dir string) ([]string, error) {
	var names []string
	for _, m := range []map[string]string{f.files, f.links} {
		for p := range m {
			if rest, ok := strings.CutPrefix(p, dir+"/"); ok {
				name, _, _ := strings.Cut(rest, "/")
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	if names == nil {
		return nil, fs.ErrNotExist
	}
	slices.Sort(names)
	return names, nil
}

func (f fakeFS) readlink(p string) (string, error) {
	if t, ok := f.links[p]; ok {
		return t, nil
	}
	return "", fs.ErrInvalid
}

// manifest is a package manifest as the packaging writes it (pkg/api/v1.PackageManifest).
// h925 is the commit of the 9.2.5 build the tests' homes stand for.
const h925 = "3c8f46f1bc6c30dad5b71525a7768410afeec505"

// manifest925 is the manifest.yaml of a 9.2.5 home, as elastic-agent's packaging writes it.
func manifest925() string {
	const version, snapshot, hash = "9.2.5", false, h925
	short, suffix := hash[:6], ""
	if snapshot {
		suffix = "-SNAPSHOT"
	}
	return "version: co.elastic.agent/v1\n" +
		"kind: PackageManifest\n" +
		"package:\n" +
		"  version: " + version + "\n" +
		"  snapshot: " + map[bool]string{true: "true", false: "false"}[snapshot] + "\n" +
		"  hash: " + hash + "\n" +
		"  versioned-home: data/elastic-agent-" + short + "\n" +
		"  path-mappings:\n" +
		"    - data/elastic-agent-" + short + ": data/elastic-agent-" + version + suffix + "-" + short + "\n" +
		"      manifest.yaml: data/elastic-agent-" + version + suffix + "-" + short + "/manifest.yaml\n"
}

func TestDetectVersion(t *testing.T) {
	const (
		opt     = "/opt/Elastic/Agent"
		share   = "/usr/share/elastic-agent"
		h913    = "2bcf7b5c4f6468863e338a8fceeb0123180ba5fe"
		home925 = opt + "/data/elastic-agent-9.2.5-3c8f46"
		home913 = opt + "/data/elastic-agent-9.1.3-2bcf7b"
	)
	tests := []struct {
		name      string
		fs        fakeFS
		want      string
		wantWhere string
	}{{
		name: "installed by install_autoops.sh: the versioned home's package.version",
		fs: fakeFS{files: map[string]string{
			opt + "/elastic-agent.yml":                     "outputs: {}\n",
			opt + "/.elastic-agent.active.commit":          h925 + "\n",
			home925 + "/package.version":                   "9.2.5\n",
			home925 + "/manifest.yaml":                     manifest925(),
			home925 + "/components/elastic-otel-collector": "",
		}, links: map[string]string{opt + "/elastic-agent": "data/elastic-agent-9.2.5-3c8f46/elastic-agent"}},
		want: "9.2.5", wantWhere: home925 + "/package.version",
	}, {
		name: "installed, package.version gone: the home's manifest.yaml",
		fs: fakeFS{files: map[string]string{
			home925 + "/manifest.yaml": manifest925(),
		}},
		want: "9.2.5", wantWhere: home925 + "/manifest.yaml",
	}, {
		name: "installed, neither file: the home's name",
		fs: fakeFS{files: map[string]string{
			opt + "/data/elastic-agent-9.3.0-SNAPSHOT-abc123/elastic-agent": "",
		}},
		want: "9.3.0", wantWhere: opt + "/data/elastic-agent-9.3.0-SNAPSHOT-abc123",
	}, {
		name: "a snapshot's package.version has no -SNAPSHOT; its home's name has",
		fs: fakeFS{files: map[string]string{
			opt + "/data/elastic-agent-9.3.0-SNAPSHOT-abc123/package.version": "9.3.0\n",
		}},
		want: "9.3.0", wantWhere: opt + "/data/elastic-agent-9.3.0-SNAPSHOT-abc123/package.version",
	}, {
		name: "after an upgrade two homes: the symlink (absolute, as the upgrade writes it) names the running one",
		fs: fakeFS{files: map[string]string{
			opt + "/.elastic-agent.active.commit": h925,
			home913 + "/package.version":          "9.1.3\n",
			home925 + "/package.version":          "9.2.5\n",
		}, links: map[string]string{opt + "/elastic-agent": home925 + "/elastic-agent"}},
		want: "9.2.5", wantWhere: home925 + "/package.version",
	}, {
		name: "after a rollback the symlink points back to the old home",
		fs: fakeFS{files: map[string]string{
			opt + "/.elastic-agent.active.commit": h913,
			home913 + "/package.version":          "9.1.3\n",
			home925 + "/package.version":          "9.2.5\n",
		}, links: map[string]string{opt + "/elastic-agent": home913 + "/elastic-agent"}},
		want: "9.1.3", wantWhere: home913 + "/package.version",
	}, {
		name: "two homes and no symlink: the active commit names the home",
		fs: fakeFS{files: map[string]string{
			opt + "/.elastic-agent.active.commit": h913 + "\n",
			home913 + "/package.version":          "9.1.3\n",
			home925 + "/package.version":          "9.2.5\n",
		}},
		want: "9.1.3", wantWhere: home913 + "/package.version",
	}, {
		name: "two homes of one commit and no symlink: unknown",
		fs: fakeFS{files: map[string]string{
			opt + "/.elastic-agent.active.commit":                    h925,
			opt + "/data/elastic-agent-9.2.4-3c8f46/package.version": "9.2.4\n",
			home925 + "/package.version":                             "9.2.5\n",
		}},
		want: "unknown",
	}, {
		name: "two homes, nothing tells which runs: unknown",
		fs: fakeFS{files: map[string]string{
			home913 + "/package.version": "9.1.3\n",
			home925 + "/package.version": "9.2.5\n",
		}},
		want: "unknown",
	}, {
		name: "an 8.x install before 8.13.0: data/elastic-agent-<hash>/package.version",
		fs: fakeFS{files: map[string]string{
			opt + "/.elastic-agent.active.commit":              "1a2b3c4d5e6f\n",
			opt + "/data/elastic-agent-1a2b3c/package.version": "8.12.2\n",
			opt + "/data/tmp/x":                                "",
		}},
		want: "8.12.2", wantWhere: opt + "/data/elastic-agent-1a2b3c/package.version",
	}, {
		name: "the elastic-otel-collector-wolfi image: /usr/share/elastic-agent/data/elastic-agent-<hash>/package.version",
		fs: fakeFS{files: map[string]string{
			share + "/manifest.yaml":                             manifest925(),
			share + "/.elastic-agent.active.commit":              h925 + "\n",
			share + "/otel_samples/autoops_es.yml":               "receivers: {}\n",
			share + "/data/elastic-agent-3c8f46/package.version": "9.2.5\n",
			share + "/data/elastic-agent-3c8f46/logs/x":          "",
		}, links: map[string]string{share + "/elastic-agent": share + "/data/elastic-agent-3c8f46/elastic-agent"}},
		want: "9.2.5", wantWhere: share + "/data/elastic-agent-3c8f46/package.version",
	}, {
		name: "a deb or rpm: /var/lib/elastic-agent/data/elastic-agent-<version>-<hash>/package.version",
		fs: fakeFS{files: map[string]string{
			"/etc/elastic-agent/.elastic-agent.active.commit":                        h925 + "\n",
			"/usr/share/elastic-agent/.build_hash.txt":                               h925 + "\n",
			"/var/lib/elastic-agent/data/elastic-agent-9.2.5-3c8f46/package.version": "9.2.5\n",
		}, links: map[string]string{"/usr/share/elastic-agent/bin/elastic-agent": "/var/lib/elastic-agent/data/elastic-agent-9.2.5-3c8f46/elastic-agent"}},
		want: "9.2.5", wantWhere: "/var/lib/elastic-agent/data/elastic-agent-9.2.5-3c8f46/package.version",
	}, {
		name: "an unparsable package.version falls back to the manifest",
		fs: fakeFS{files: map[string]string{
			home925 + "/package.version": "\n",
			home925 + "/manifest.yaml":   manifest925(),
		}},
		want: "9.2.5", wantWhere: home925 + "/manifest.yaml",
	}, {
		name: "a legacy home with nothing readable: unknown",
		fs: fakeFS{files: map[string]string{
			opt + "/data/elastic-agent-1a2b3c/elastic-agent": "",
		}},
		want: "unknown",
	}, {
		name: "the configuration alone records no version",
		fs: fakeFS{files: map[string]string{
			opt + "/elastic-agent.yml": "outputs: {}\n",
		}},
		want: "unknown",
	}, {
		name: "nothing installed",
		fs:   fakeFS{},
		want: "unknown",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, where := DetectVersion(tt.fs.read, tt.fs.list, tt.fs.readlink)
			assert.Equal(t, tt.want, v.String())
			assert.Equal(t, tt.wantWhere, where)
			assert.Equal(t, tt.want != "unknown", v.Known())
			if where != "" {
				assert.True(t, path.IsAbs(where))
			}
		})
	}
}

func TestDetectVersionWithoutReadlink(t *testing.T) {
	f := fakeFS{files: map[string]string{
		"/opt/Elastic/Agent/data/elastic-agent-9.2.5-3c8f46/package.version": "9.2.5\n",
	}}
	v, where := DetectVersion(f.read, f.list, nil)
	assert.Equal(t, "9.2.5", v.String())
	assert.Equal(t, "/opt/Elastic/Agent/data/elastic-agent-9.2.5-3c8f46/package.version", where)
}
