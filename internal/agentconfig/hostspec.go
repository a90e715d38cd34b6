package agentconfig

import (
	"os"
	"runtime"
	"strings"
	"syscall"
)

// HostSpecifier gives systemd's host-dependent specifiers as systemd computes them on this
// machine (systemd.unit(5), "Specifiers"): %H the host name, %l its first label, %q the pretty
// host name, %m the machine id, %b the boot id, %v the kernel release, %a the architecture,
// and the os-release fields %o ID, %w VERSION_ID, %W VARIANT_ID, %B BUILD_ID, %M IMAGE_ID, %A
// IMAGE_VERSION. An installer's unescaped "50%off" reaches the agent as "50" + ID + "ff".
// Every file is read bounded; an os-release field the machine does not have is empty, as in
// systemd; without a machine or boot id the specifier fails (ok false), as in systemd.
func HostSpecifier(c byte) (string, bool) {
	read := func(path string) string {
		raw, err := ReadFile(path, 64<<10)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(raw))
	}
	id := func(path string) (string, bool) { // systemd fails the specifier without it
		v := strings.ReplaceAll(read(path), "-", "")
		return v, v != ""
	}
	field := func(path, key string) string {
		for _, a := range parseSystemdEnvFile(read(path)) {
			if a.Key == key {
				return a.Value
			}
		}
		return ""
	}
	osRelease := func(key string) string {
		if _, err := os.Stat("/etc/os-release"); err == nil {
			return field("/etc/os-release", key)
		}
		return field("/usr/lib/os-release", key)
	}
	switch c {
	case 'H', 'l', 'q':
		h, err := os.Hostname()
		if err != nil {
			return "", false
		}
		if c == 'q' {
			if p := field("/etc/machine-info", "PRETTY_HOSTNAME"); p != "" {
				return p, true
			}
		}
		if c != 'H' { // %l, and %q without a pretty name: the short host name
			h, _, _ = strings.Cut(h, ".")
		}
		return h, true
	case 'm':
		return id("/etc/machine-id")
	case 'b':
		return id("/proc/sys/kernel/random/boot_id")
	case 'v':
		var u syscall.Utsname
		if syscall.Uname(&u) != nil {
			return "", false
		}
		var b strings.Builder
		for _, ch := range u.Release {
			if ch == 0 {
				break
			}
			b.WriteByte(byte(ch))
		}
		return b.String(), true
	case 'a':
		return systemdArchitecture[runtime.GOARCH], true
	case 'o':
		return osRelease("ID"), true
	case 'w':
		return osRelease("VERSION_ID"), true
	case 'W':
		return osRelease("VARIANT_ID"), true
	case 'B':
		return osRelease("BUILD_ID"), true
	case 'M':
		return osRelease("IMAGE_ID"), true
	case 'A':
		return osRelease("IMAGE_VERSION"), true
	}
	return "", false
}

// systemdArchitecture names Go's architectures as systemd does (%a).
var systemdArchitecture = map[string]string{
	"amd64": "x86-64", "386": "x86", "arm64": "arm64", "arm": "arm", "ppc64le": "ppc64-le",
	"ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64", "loong64": "loongarch64",
	"mips64le": "mips64-le", "mips64": "mips64", "mipsle": "mips-le", "mips": "mips",
}
