package agentconfig

import (
	"path"
	"strings"
)

// ServiceName is the agent's systemd unit.
const ServiceName = "elastic-agent.service"

// hostSpecifiers are the specifiers systemd knows whose value depends on the host (hostname,
// machine id, kernel, os-release): systemd.unit(5), "Specifiers", systemd 252.
const hostSpecifiers = "aAbBHlmMoqvwW"

// unitSpecifier gives the value of %c in a system service's Environment= or EnvironmentFile=
// as systemd.unit(5) lists them, for a unit without an instance and without User= (the
// agent's). ok is false for a character systemd does not know: systemd then ignores the
// assignment ("Failed to resolve specifiers ...: Invalid slot"). Host-dependent ones come
// from host (nil: they resolve empty).
func unitSpecifier(c byte, fragment string, host func(byte) (string, bool)) (string, bool) {
	name := strings.TrimSuffix(ServiceName, ".service")
	switch c {
	case '%':
		return "%", true
	case 'n':
		return ServiceName, true
	case 'N', 'p', 'P', 'j', 'J':
		return name, true
	case 'i', 'I':
		return "", true
	case 'f': // the unescaped prefix with a leading /: "-" unescapes to "/"
		return "/" + strings.ReplaceAll(name, "-", "/"), true
	case 'E':
		return "/etc", true
	case 'S':
		return "/var/lib", true
	case 'C':
		return "/var/cache", true
	case 'L':
		return "/var/log", true
	case 't':
		return "/run", true
	case 'T':
		return "/tmp", true
	case 'V':
		return "/var/tmp", true
	case 'd':
		return "/run/credentials/" + ServiceName, true
	case 'h':
		return "/root", true
	case 'u', 'g':
		return "root", true
	case 'U', 'G':
		return "0", true
	case 's':
		return "/bin/sh", true
	case 'y':
		return fragment, true
	case 'Y':
		return path.Dir(fragment), true
	}
	if strings.IndexByte(hostSpecifiers, c) >= 0 {
		if host != nil {
			return host(c) // !ok: systemd cannot resolve it either (no machine id) and drops the assignment
		}
		return "", true
	}
	return "", false
}

// expandSpecifiers resolves the specifiers of s; ok is false when one is unknown (the
// whole assignment is then ignored). A lone % at the end stays, as in systemd.
func expandSpecifiers(s, fragment string, host func(byte) (string, bool)) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		v, ok := unitSpecifier(s[i], fragment, host)
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}
