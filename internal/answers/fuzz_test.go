package answers

import "testing"

// The parsers read answers from networks the user does not control: none may panic.
func FuzzParsers(f *testing.F) {
	for _, seed := range []string{
		guideRoot, `{"license":{"status":"active"}}`, `{"username":"u","roles":["superuser"]}`,
		`{"has_all_requested":false,"cluster":{"monitor":false},"index":{"*":{}}}`,
		`{"UnauthorizedMessages":["Invalid credential headers"],"Cause":null}`, `{"code":16,"message":"no auth provided"}`,
		`[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]`, `{"version":{"number":"7.17.0-SNAPSHOT"}}`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if r, err := ParseRoot(body); err == nil {
			_, _ = ParseVersion(r.Version.Number)
		}
		_, _ = ParseLicense(body)
		_, _ = ParseAuthenticate(body)
		_, _ = MissingPrivileges(body)
		_ = IsRegistrationUnauthorized(body)
		_ = IsOTLPUnauthenticated(body)
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"7.17.0", "8.0.0-SNAPSHOT", "1.2", "x.y.z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseVersion(s); err == nil {
			_ = v.Less(MinimumVersion)
		}
	})
}
