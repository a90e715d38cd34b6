package diagnose

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every error.type and warning of the contract has a remedy row that names its source in the
// guide, for both kinds of probe; rows beyond the contract are variants a rule picks.
func TestEveryContractValueHasARemedy(t *testing.T) {
	check := func(table map[string]remedy, values []string, text func(string, bool) string) {
		for _, v := range values {
			r, ok := table[v]
			require.True(t, ok, "no remedy for %s", v)
			assert.NotEmpty(t, r.Guide, "%s: remedy does not say which guide row it comes from", v)
			assert.NotEmpty(t, text(v, true), "%s: no cluster remedy", v)
			assert.NotEmpty(t, text(v, false), "%s: no cloud remedy", v)
		}
		for key := range table {
			if !slices.Contains(values, key) {
				assert.Contains(t, key, "/", "a remedy row for a value the contract does not have: %s", key)
			}
		}
	}
	check(remedies, ErrorTypes, Remedy)
	check(warningRemedies, Warnings, WarningRemedy)
}

func TestRemediesAreSentences(t *testing.T) {
	sentence := regexp.MustCompile(`^[A-Z].*[.)]$`)
	for _, table := range []map[string]remedy{remedies, warningRemedies} {
		for v, r := range table {
			for _, text := range []string{r.Cluster, r.Cloud} {
				if text != "" {
					assert.Regexp(t, sentence, text, v)
				}
			}
		}
	}
}

// No cloud remedy points at tls.min_version, except to say lowering it would not help: the
// agent keeps its own minimum, so a lowered probe would pass where the agent fails.
func TestCloudRemediesNeverLowerTheMinimum(t *testing.T) {
	for v, r := range remedies {
		for _, s := range strings.Split(r.Cloud, ". ") {
			if strings.Contains(s, "min_version") {
				assert.Contains(t, s, "would not help", "%s: %q", v, r.Cloud)
			}
		}
	}
}
