package probe

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDetectContainer(t *testing.T) {
	noFile := func(string) ([]byte, error) { return nil, errors.New("no such file") }
	none := func(string) bool { return false }
	only := func(want string) func(string) bool { return func(p string) bool { return p == want } }
	cgroup := func(s string) func(string) ([]byte, error) {
		return func(string) ([]byte, error) { return []byte(s), nil }
	}
	tests := []struct {
		name   string
		read   func(string) ([]byte, error)
		exists func(string) bool
		want   bool
	}{
		{"docker marker", noFile, only("/.dockerenv"), true},
		{"podman marker", noFile, only("/run/.containerenv"), true},
		{"kubernetes cgroup", cgroup("0::/kubepods/besteffort/pod1234/abcd\n"), none, true},
		{"docker cgroup v1", cgroup("12:memory:/docker/3f2a...\n"), none, true},
		{"host", cgroup("0::/init.scope\n"), none, false},
		{"nothing readable", noFile, none, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, detectContainer(tt.read, tt.exists))
		})
	}
}
