package agentconfig

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an agent version (major.minor.patch); the zero Version is unknown.
type Version struct {
	Major, Minor, Patch int
	known               bool
}

// ParseVersion reads "9.1.3", "v9.1.3" or "9.1.3-SNAPSHOT"; "" is the unknown version.
func ParseVersion(s string) (Version, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if s == "" {
		return Version{}, nil
	}
	core, _, _ := strings.Cut(s, "-")
	core, _, _ = strings.Cut(core, "+")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("%q is not an agent version such as 9.2.5", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return Version{}, fmt.Errorf("%q is not an agent version such as 9.2.5", s)
		}
		n[i] = v
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2], known: true}, nil
}

// MustVersion is ParseVersion for constants.
func MustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Known reports whether the version was given or detected.
func (v Version) Known() bool { return v.known }

func (v Version) String() string {
	if !v.known {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Less orders known versions.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// span is a range of agent versions, from (inclusive) to before (exclusive; zero: no end).
type span struct{ from, before Version }

func (s span) holds(v Version) bool {
	return v.known && !v.Less(s.from) && (!s.before.known || v.Less(s.before))
}

// What the agent does, by version: each row follows Elastic's code (docs/agent-model.md names
// the source). A rule holds only for a known version: an unknown agent is assumed current.
var (
	// hasAutoOpsModule: the autoops_es module exists.
	hasAutoOpsModule = span{from: MustVersion("9.1.0")}
	// readsOnlyReadVariables: 9.1.0 to 9.1.3 read only ELASTICSEARCH_READ_* and encode every
	// API key, an encoded one twice.
	readsOnlyReadVariables = span{from: MustVersion("9.1.0"), before: MustVersion("9.1.4")}
	// refusesLicenseTypes: registration refuses license types other than enterprise and trial.
	refusesLicenseTypes = span{from: MustVersion("9.1.0"), before: MustVersion("9.2.4")}
	// exitsOnRootHTTPError: 401, 403 or 404 from GET / makes the agent exit (a restart loop).
	exitsOnRootHTTPError = span{from: MustVersion("9.2.5")}
)

// LacksAutoOpsModule: the agent is older than 9.1.0, which has no autoops_es module.
func (v Version) LacksAutoOpsModule() bool { return v.known && v.Less(hasAutoOpsModule.from) }

// ReadsOnlyReadVariables: the agent reads only ELASTICSEARCH_READ_* and encodes every key.
func (v Version) ReadsOnlyReadVariables() bool { return readsOnlyReadVariables.holds(v) }

// RefusesLicenseTypes: the agent's registration refuses licenses other than enterprise and
// trial; older agents without the module are left to agent_version_unsupported.
func (v Version) RefusesLicenseTypes() bool { return refusesLicenseTypes.holds(v) }

// ExitsOnRootHTTPError: the agent exits on 401, 403 or 404 from GET / (unknown: it may).
func (v Version) ExitsOnRootHTTPError() bool { return !v.known || exitsOnRootHTTPError.holds(v) }
