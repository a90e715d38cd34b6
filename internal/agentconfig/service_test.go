package agentconfig

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// needTool skips without the Debian tool, except under CI, where that is a failure.
func needTool(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: install the Debian package %s", path, pkg)
		}
		t.Skipf("%s is missing (Debian package %s)", path, pkg)
	}
}

// rootFS reads the service's files below root, as systemd-analyze --root does.
func rootFS(root string) ServiceFS {
	return ServiceFS{
		Host:     HostSpecifier,
		ReadFile: func(p string) ([]byte, error) { return ReadFile(filepath.Join(root, p), MaxFileSize) },
		ReadDir: func(dir string) ([]string, error) {
			entries, err := os.ReadDir(filepath.Join(root, dir))
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			return names, err
		},
	}
}

func writeUnder(t *testing.T, root, p, content string) {
	t.Helper()
	full := filepath.Join(root, p)
	require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(t, os.WriteFile(full, []byte(content), 0o600))
}

// installerUnitFile is the unit as the agent's installer writes it, as far as the environment
// goes (elastic-agent internal/pkg/agent/install/svc.go).
const installerUnitFile = `[Unit]
Description=Elastic Agent is a unified agent to observe, monitor and protect your system.
ConditionFileIsExecutable=/usr/bin/elastic-agent

[Service]
StartLimitInterval=5
StartLimitBurst=10
ExecStart=/usr/bin/elastic-agent
Restart=always
RestartSec=120
EnvironmentFile=-/etc/sysconfig/elastic-agent

[Install]
WantedBy=multi-user.target
`

var (
	oracleEnv     = regexp.MustCompile(`^\t\tEnvironment: (.*)$`)
	oracleEnvFile = regexp.MustCompile(`^\t\tEnvironmentFile: (.*)$`)
	oracleIgnored = regexp.MustCompile(`^(/\S+):(\d+): (Failed to resolve specifiers|Invalid syntax|Invalid environment assignment)`)
)

// systemdComputes is what systemd 252 makes of the unit below root: the Environment=
// assignments of the unit dump systemd-analyze verify prints at debug level, the
// EnvironmentFile= entries, and the file:line of each assignment it ignored (never printed:
// systemd's own message quotes the value).
func systemdComputes(t *testing.T, root string) (env map[string]string, envFiles []string, ignored []string) {
	needTool(t, "/usr/bin/systemd-analyze", "systemd")
	cmd := exec.Command("systemd-analyze", "verify", "--root="+root, ServiceName)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=debug", "SYSTEMD_LOG_COLOR=0")
	// The unit dump is on stdout, the log (ignored assignments) on stderr: read apart, as the
	// two interleave mid-line when merged. verify also complains of the missing ExecStart.
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	env = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(stdout.String() + "\n" + stderr.String()))
	for sc.Scan() {
		l := sc.Text()
		if m := oracleEnv.FindStringSubmatch(l); m != nil {
			k, v, _ := strings.Cut(m[1], "=")
			env[k] = v
		} else if m := oracleEnvFile.FindStringSubmatch(l); m != nil {
			envFiles = append(envFiles, m[1])
		} else if m := oracleIgnored.FindStringSubmatch(l); m != nil {
			ignored = append(ignored, strings.TrimPrefix(m[1], root)+":"+m[2])
		}
	}
	require.NotEmpty(t, envFiles, "systemd-analyze printed no unit dump (nothing to compare with)")
	return env, envFiles, ignored
}

// systemdEnvFile is what systemd's env-file parser makes of a file: the environment.d
// generator reads its files with the same parser (it also expands $VAR: the files tested
// here hold no $). Only the names the file gives are returned, not the host's own.
func systemdEnvFile(t *testing.T, content string) map[string]string {
	gen := "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator"
	needTool(t, gen, "systemd")
	run := func(content string) map[string]string {
		home := t.TempDir()
		if content != "" {
			writeUnder(t, home, "environment.d/50-test.conf", content)
		}
		cmd := exec.Command(gen)
		cmd.Env = []string{"XDG_CONFIG_HOME=" + home, "HOME=" + home}
		out, err := cmd.Output()
		require.NoError(t, err)
		env := map[string]string{}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				continue
			}
			if strings.HasPrefix(v, `"`) { // shell-quoted by the generator
				u, err := strconv.Unquote(v)
				require.NoError(t, err)
				v = u
			}
			env[k] = v
		}
		return env
	}
	host, env := run(""), run(content)
	for k := range host {
		delete(env, k)
	}
	return env
}

func TestServiceEnvironmentAsSystemdComputesIt(t *testing.T) {
	for _, generation := range []string{"autoops-env-current.conf", "autoops-env-first.conf"} {
		t.Run(generation, func(t *testing.T) {
			apiKey, user, pass := VarESAPIKey, VarESUsername, VarESPassword
			if strings.Contains(generation, "first") {
				apiKey, user, pass = VarReadAPIKey, VarReadUsername, VarReadPassword
			}
			root := t.TempDir()
			writeUnder(t, root, UnitPath, installerUnitFile)
			// The installer writes values as they are: %% reaches the agent as %, and %Z (no
			// specifier) makes systemd drop the API key's whole assignment.
			filled := testutil.FillEnvFile(t, generation, map[string]string{
				VarOTelURL: "https://otel.example:443", VarESURL: "https://es.corp:9200", VarToken: "t0k%%en",
				apiKey: "id:s3cr%Zet", user: "autoops%o", pass: "50%%off and %n",
				VarRegistrationURL: "https://reg.example",
			})
			raw, err := os.ReadFile(filled)
			require.NoError(t, err)
			writeUnder(t, root, DropInDir+"/autoops-env.conf", string(raw))
			// A later drop-in: quoting, C escapes, a continued line, an override, and an
			// EnvironmentFile= of its own.
			writeUnder(t, root, DropInDir+"/50-site.conf", "[Service]\n"+
				"Environment=\"AUTOOPS_ES_URL=https://es.site:9200\" 'QUOTED=a b' MIXED=x\"y z\"w\n"+
				"Environment=\"ESCAPES=tab\\there \\x41\\101\\u00e9 \\\"q\\\"\" SPACE=\\s\n"+
				"Environment=\"HTTPS_PROXY=http://proxy.corp:3128\" \\\n"+
				"# a comment inside the continuation is skipped\n"+
				"  \"NO_PROXY=localhost,.corp\"\n"+
				"Environment=\"BAD=a\\qb\" LOST=after-the-error\n"+
				"EnvironmentFile=/etc/autoops/site.env\n")
			writeUnder(t, root, DropInDir+"/10-early.conf", "[Service]\nEnvironment=AUTOOPS_ES_URL=https://es.early:9200 EARLY=1\n"+
				"Environment=HOST=%H|%l|%q|%m|%b|%v|%a|%o|%w|%W|%B|%M|%A\n")
			writeUnder(t, root, DropInDir+"/not-a-dropin.txt", "[Service]\nEnvironment=NOT_READ=1\n")
			// A lone % at the end stays; a file that ends inside a continuation still counts.
			writeUnder(t, root, DropInDir+"/90-end.conf", "[Service]\nEnvironment=TRAIL=100% \\")
			siteEnv := "# site overrides\nAUTOOPS_OTEL_URL=\"https://otel.site:443\"\n" +
				"CONTINUED=one \\\n  two\n  SPACED = 'kept  '  \nDQ=\"a\\\"b\\\\c\\nd\"\nexport EXPORTED=1\n"
			writeUnder(t, root, "/etc/autoops/site.env", siteEnv)
			sysconfig := "AUTOOPS_ES_URL=https://es.sysconfig:9200\nPCT=100%\n"
			writeUnder(t, root, SysconfigPath, sysconfig)

			got, err := ReadServiceEnvironment(rootFS(root), UnitPath)
			require.NoError(t, err)

			want, envFiles, ignored := systemdComputes(t, root)
			assert.Equal(t, []string{"-" + SysconfigPath, "/etc/autoops/site.env"}, envFiles)
			for _, f := range []string{sysconfig, siteEnv} {
				for k, v := range systemdEnvFile(t, f) {
					want[k] = v
				}
			}
			assert.Equal(t, want, got.Env)

			var keys []string
			for _, f := range got.Findings {
				assert.Equal(t, DropinLineIgnored, f.Finding)
				keys = append(keys, f.Key)
				assert.NotContains(t, f.Message, "s3cr")
				assert.NotContains(t, f.Message, "a\\qb")
			}
			slices.Sort(ignored)
			assert.Equal(t, ignored, keys)
			assert.Contains(t, got.Findings[0].Message+got.Findings[1].Message, apiKey)

			// What a user would notice: the values the agent really gets.
			assert.Equal(t, "50%off and elastic-agent.service", got.Env[pass])
			assert.Equal(t, "t0k%en", got.Env[VarToken])
			assert.NotContains(t, got.Env, apiKey)
			assert.Equal(t, "https://es.sysconfig:9200", got.Env[VarESURL], "EnvironmentFile= wins over every Environment=")
			var paths []string
			for _, f := range got.Files {
				paths = append(paths, f.Path)
			}
			assert.Equal(t, []string{UnitPath, DropInDir + "/10-early.conf", DropInDir + "/50-site.conf", DropInDir + "/90-end.conf", DropInDir + "/autoops-env.conf", SysconfigPath, "/etc/autoops/site.env"}, paths)
			assert.Equal(t, "100%", got.Env["TRAIL"])
		})
	}
}

func TestServiceEnvironmentFiles(t *testing.T) {
	t.Run("no unit file: the installer's EnvironmentFile=-/etc/sysconfig/elastic-agent", func(t *testing.T) {
		root := t.TempDir()
		writeUnder(t, root, SysconfigPath, "AUTOOPS_TOKEN=from-sysconfig\n")
		got, err := ReadServiceEnvironment(rootFS(root), UnitPath)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{VarToken: "from-sysconfig"}, got.Env)
		assert.Equal(t, []ServiceFile{{Path: UnitPath, Missing: true}, {Path: SysconfigPath, Optional: true}}, got.Files)
	})
	t.Run("a required environment file that is missing: systemd does not start the agent", func(t *testing.T) {
		root := t.TempDir()
		writeUnder(t, root, DropInDir+"/autoops-env.conf", "[Service]\nEnvironmentFile=/etc/autoops/missing.env\n")
		_, err := ReadServiceEnvironment(rootFS(root), UnitPath)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "/etc/autoops/missing.env")
		assert.Contains(t, err.Error(), "does not start the agent")
	})
	t.Run("an empty Environment= resets what came before", func(t *testing.T) {
		root := t.TempDir()
		writeUnder(t, root, DropInDir+"/a.conf", "[Service]\nEnvironment=A=1\n")
		writeUnder(t, root, DropInDir+"/b.conf", "[Service]\nEnvironment=\nEnvironment=B=2\n")
		got, err := ReadServiceEnvironment(rootFS(root), UnitPath)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"B": "2"}, got.Env)
	})
	t.Run("too many drop-ins", func(t *testing.T) {
		root := t.TempDir()
		for i := 0; i <= MaxDropIns; i++ {
			writeUnder(t, root, DropInDir+"/"+strconv.Itoa(i)+".conf", "[Service]\n")
		}
		_, err := ReadServiceEnvironment(rootFS(root), UnitPath)
		require.ErrorContains(t, err, "more than")
	})
	t.Run("a FIFO named by EnvironmentFile= is refused, never opened", func(t *testing.T) {
		root := t.TempDir()
		writeUnder(t, root, DropInDir+"/a.conf", "[Service]\nEnvironmentFile=-/etc/fifo\n")
		require.NoError(t, syscall.Mkfifo(filepath.Join(root, "etc/fifo"), 0o600))
		_, err := ReadServiceEnvironment(rootFS(root), UnitPath)
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrNotRegular), "%v", err)
	})
	t.Run("a glob in EnvironmentFile=", func(t *testing.T) {
		root := t.TempDir()
		writeUnder(t, root, DropInDir+"/a.conf", "[Service]\nEnvironmentFile=-/etc/autoops/*.env\n")
		writeUnder(t, root, "/etc/autoops/b.env", "X=b\n")
		writeUnder(t, root, "/etc/autoops/a.env", "X=a\nY=a\n")
		got, err := ReadServiceEnvironment(rootFS(root), UnitPath)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"X": "b", "Y": "a"}, got.Env)
	})
}
