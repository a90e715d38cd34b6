package agentconfig

import (
	"math/rand/v2"
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

// The linear resolver gives what the simple recursive one gave, on random mixes of
// references, defaults, stray braces and unclosed references.
func TestResolveSameAsRecursive(t *testing.T) {
	env := map[string]string{"SET": "v", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	pieces := []string{"${env:", "}", "{", ":-", "SET", "EMPTY", "UNSET", "x", " ", "$"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20_000; i++ {
		var b strings.Builder
		for n := rng.IntN(16); n > 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		want, got := recursiveResolve(s, lookup), resolve(s, lookup)
		require.Equal(t, want.value, got.value, s)
		require.Equal(t, want.unset, got.unset, s)
		require.Equal(t, want.names, got.names, s)
	}
}

// recursiveResolve is the resolver as it was (quadratic in the nesting depth), kept as the
// reference of the behaviour.
func recursiveResolve(s string, lookup Lookup) resolution {
	var r resolution
	var b strings.Builder
	for {
		start := strings.Index(s, "${env:")
		if start < 0 {
			b.WriteString(s)
			break
		}
		end := -1
		for i, depth := start+1, 0; i < len(s) && end < 0; i++ {
			switch s[i] {
			case '{':
				depth++
			case '}':
				if depth--; depth == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:start])
		name, def, hasDefault := strings.Cut(s[start+len("${env:"):end], ":-")
		r.names = append(r.names, name)
		if v, ok := lookup(name); ok {
			if v == "" {
				r.unset = append(r.unset, name)
			}
			b.WriteString(v)
		} else if hasDefault {
			d := recursiveResolve(def, lookup)
			r.unset = append(r.unset, d.unset...)
			r.names = append(r.names, d.names...)
			b.WriteString(d.value)
		} else {
			r.unset = append(r.unset, name)
		}
		s = s[end+1:]
	}
	r.value = b.String()
	return r
}
