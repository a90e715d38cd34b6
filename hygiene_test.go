package autoopsprobe

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// maxTracked is the largest file the repository holds outside testdata/: anything bigger is a
// build, a dump or a capture that belongs in _build/ or a release, not in every clone.
const maxTracked = 1 << 20

// Build outputs never enter the repository (issue 23): a committed 27 MB autoops-probe went
// unnoticed because nothing looked. Every tracked file is checked, so `make test` fails on the
// commit that adds one.
func TestNoBuildArtifactsTracked(t *testing.T) {
	files := trackedFiles(t)
	for _, f := range files {
		if problem := artifact(f); problem != "" {
			t.Errorf("%s: %s; `git rm --cached %s` and build into _build/ (see .gitignore)", f, problem, f)
		}
	}
}

// trackedFiles lists the repository's files (git ls-files). Outside a git checkout (a module
// download, a source archive) there is nothing to check; under CI that is a failure.
func trackedFiles(t *testing.T) []string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command("git", "ls-files", "-z", "--cached")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		why := "not a git checkout, or git is missing: " + strings.TrimSpace(err.Error()+" "+stderr.String())
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot list tracked files under CI: %s", why)
		}
		t.Skipf("skipped: %s", why)
	}
	files := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(files) == 0 || files[0] == "" {
		t.Fatal("git ls-files listed nothing")
	}
	return files
}

// artifact says why a tracked file is a build artifact, or "".
func artifact(path string) string {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		// Deleted in the work tree but not yet from the index, or a symbolic link.
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return "cannot be read: " + err.Error()
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	_ = f.Close() // read only
	if kind := executable(head[:n]); kind != "" {
		return "a compiled executable (" + kind + ")"
	}
	if info.Size() > maxTracked && !slices.Contains(strings.Split(path, "/"), "testdata") {
		return "larger than 1 MiB outside testdata/"
	}
	return ""
}

// executable recognises the object formats Go builds: ELF, Mach-O and PE.
func executable(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "ELF"
	case len(head) >= 4 && slices.Contains([]uint32{0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe}, binary.BigEndian.Uint32(head)):
		return "Mach-O"
	case bytes.HasPrefix(head, []byte("MZ")) && len(head) >= 0x40:
		off := int(binary.LittleEndian.Uint32(head[0x3c:]))
		if off+4 <= len(head) && bytes.Equal(head[off:off+4], []byte("PE\x00\x00")) {
			return "PE"
		}
	}
	return ""
}

func TestExecutableFormats(t *testing.T) {
	pe := make([]byte, 0x84)
	copy(pe, "MZ")
	binary.LittleEndian.PutUint32(pe[0x3c:], 0x80)
	copy(pe[0x80:], "PE\x00\x00")
	for _, tt := range []struct {
		name string
		head []byte
		want string
	}{
		{"ELF", []byte("\x7fELF\x02\x01\x01"), "ELF"},
		{"Mach-O 64-bit", []byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}, "Mach-O"},
		{"PE", pe, "PE"},
		{"text beginning MZ", []byte("MZ is a text file that happens to begin so, and is long enough to be read at 0x3c."), ""},
		{"Go source", []byte("package autoopsprobe\n"), ""},
		{"empty", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := executable(tt.head); got != tt.want {
				t.Errorf("executable(%q) = %q, want %q", tt.head, got, tt.want)
			}
		})
	}
}

// The size rule: a large file is an artifact outside testdata/ only.
func TestArtifactSizeRule(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("x"), maxTracked+1)
	for _, tt := range []struct {
		path string
		want bool
	}{
		{dir + "/big.json", true},
		{dir + "/testdata/big.json", false},
		{dir + "/testdata/deep/big.json", false},
		{dir + "/mytestdata/big.json", true},
	} {
		t.Run(strings.TrimPrefix(tt.path, dir), func(t *testing.T) {
			if err := os.MkdirAll(tt.path[:strings.LastIndex(tt.path, "/")], 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(tt.path, big, 0o600); err != nil {
				t.Fatal(err)
			}
			if got := artifact(tt.path) != ""; got != tt.want {
				t.Errorf("artifact(%s) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}
