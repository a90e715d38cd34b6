package agentconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// finish reads the EnvironmentFile= files in order, over the Environment= assignments.
func (r *serviceReader) finish() (*ServiceEnvironment, error) {
	read := 0
	for _, ref := range r.envFiles {
		paths, err := r.glob(ref.path)
		if err != nil {
			return nil, fmt.Errorf("EnvironmentFile=%s (%s): %w", ref.path, ref.from, err)
		}
		if len(paths) == 0 && !ref.optional {
			return nil, fmt.Errorf("EnvironmentFile=%s (%s) matches no file, and it is not optional (no leading -): systemd does not start the agent", ref.path, ref.from)
		}
		for _, p := range paths {
			if read++; read > MaxEnvironmentFiles {
				return nil, fmt.Errorf("more than %d environment files (EnvironmentFile=, %s)", MaxEnvironmentFiles, ref.from)
			}
			raw, err := r.fs.ReadFile(p)
			if errors.Is(err, fs.ErrNotExist) {
				if !ref.optional {
					return nil, fmt.Errorf("EnvironmentFile=%s (%s) does not exist, and it is not optional (no leading -): systemd does not start the agent", p, ref.from)
				}
				r.out.Files = append(r.out.Files, ServiceFile{Path: p, Optional: true, Missing: true})
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("EnvironmentFile=%s (%s): %w", p, ref.from, err)
			}
			r.out.Files = append(r.out.Files, ServiceFile{Path: p, Optional: ref.optional})
			for _, a := range parseSystemdEnvFile(string(raw)) {
				if validEnvValue(a.Value) {
					r.out.Env[a.Key] = a.Value
				}
			}
		}
	}
	r.out.Findings = Sorted(r.out.Findings)
	return r.out, nil
}

// glob expands the wildcards systemd allows in EnvironmentFile= (in the last element only,
// here), sorted as glob(3) does; a path without them is itself.
func (r *serviceReader) glob(p string) ([]string, error) {
	if !strings.ContainsAny(p, "*?[") {
		return []string{p}, nil
	}
	dir, pattern := path.Split(p)
	names, err := r.fs.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if ok, err := path.Match(pattern, n); err != nil {
			return nil, err
		} else if ok {
			out = append(out, path.Join(dir, n))
		}
	}
	slices.Sort(out)
	return out, nil
}
