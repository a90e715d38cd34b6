package probe

import (
	"os"
	"strings"
)

// DetectContainer reports whether this process runs inside a container: the marker files
// Docker and Podman create, or container runtimes named in the cgroup of PID 1.
func DetectContainer() bool {
	return detectContainer(os.ReadFile, func(p string) bool { _, err := os.Stat(p); return err == nil })
}

func detectContainer(readFile func(string) ([]byte, error), exists func(string) bool) bool {
	if exists("/.dockerenv") || exists("/run/.containerenv") {
		return true
	}
	b, err := readFile("/proc/1/cgroup")
	if err != nil {
		return false
	}
	s := string(b)
	for _, marker := range []string{"docker", "kubepods", "containerd", "libpod", "lxc"} {
		if strings.Contains(s, marker) {
			return true
		}
	}
	return false
}
