package agentconfig

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// nested is a value of depth levels of ${env:UNSET:-a...}, each default holding the next
// (14 bytes a level): the shape that took the quadratic resolver over 40 s at 1.6 MB.
func nested(depth int) string {
	return strings.Repeat("${env:UNSET:-a", depth) + "x" + strings.Repeat("}", depth)
}

func unsetLookup(name string) (string, bool) {
	if name == "SET" {
		return "v", true
	}
	return "", false
}

// The work is linear in the input: the bytes examined stay within a small multiple of its
// length, and so do the bytes allocated, at every depth (the quadratic resolver scanned each
// level's default again and copied each level's value up: about depth²/2 of each).
func TestResolveNestedIsLinear(t *testing.T) {
	for _, depth := range []int{10, 1_000, 20_000} {
		s := nested(depth)
		var r resolution
		allocated := testutil.AllocatedBytes(func() { r = resolve(s, unsetLookup) })
		require.Equal(t, strings.Repeat("a", depth)+"x", r.value)
		assert.Empty(t, r.unset)
		assert.Len(t, r.names, depth)
		assert.LessOrEqual(t, r.steps, 3*len(s), "depth %d: %d steps for %d bytes", depth, r.steps, len(s))
		assert.LessOrEqual(t, allocated, uint64(64*len(s)+64<<10), "depth %d: %d bytes allocated for %d bytes", depth, allocated, len(s))
	}
}

// BenchmarkResolveNested resolves a 1.6 MB value of nested defaults (115,000 levels).
func BenchmarkResolveNested(b *testing.B) {
	s := nested(115_000)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if r := resolve(s, unsetLookup); len(r.value) != 115_001 {
			b.Fatal(len(r.value))
		}
	}
}
