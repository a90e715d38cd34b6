package scrub

// windowSet holds every Fragment-byte run of the secrets. The scan looks at each position of
// every text, so a map lookup there would cost a hash of Fragment bytes per byte: a rolling
// hash over the text checked against a small bit set first lets almost every position go by
// with a multiply and a bit test, and only the few that may match are looked up.
type windowSet struct {
	runs  map[run]struct{}
	bits  []uint64
	shift uint // of the multiplied hash, keeping log2(len(bits)*64) bits
}

const (
	rollBase = 0x01000193 // any odd multiplier spreads the bytes
	mixer    = 0x9E3779B1 // Fibonacci hashing: the top bits index the bit set
)

// rollPow is rollBase^Fragment: what the byte leaving the window weighs.
var rollPow = func() uint32 {
	p := uint32(1)
	for range Fragment {
		p *= rollBase
	}
	return p
}()

// run is a Fragment-byte run, held in the map's slot itself: no string header, no allocation.
type run [Fragment]byte

func newWindowSet(runs map[run]struct{}) windowSet {
	if len(runs) == 0 {
		return windowSet{}
	}
	// About 16 bits per run: a position that is no run passes the set once in ~16.
	logBits := uint(10)
	for 1<<logBits < 16*len(runs) {
		logBits++
	}
	w := windowSet{runs: runs, bits: make([]uint64, 1<<(logBits-6)), shift: 32 - logBits}
	for r := range runs {
		h := w.index(rollHash(r[:]))
		w.bits[h>>6] |= 1 << (h & 63)
	}
	return w
}

func rollHash(b []byte) uint32 {
	var h uint32
	for _, c := range b {
		h = h*rollBase + uint32(c)
	}
	return h
}

func (w *windowSet) index(h uint32) uint32 { return (h * mixer) >> w.shift }

// find appends the span of every run of a secret in v.
func (w *windowSet) find(v view, found []span) []span {
	t := v.text
	if len(w.runs) == 0 || len(t) < Fragment {
		return found
	}
	h := rollHash(t[:Fragment])
	for i := 0; ; i++ {
		if x := w.index(h); w.bits[x>>6]&(1<<(x&63)) != 0 {
			if _, ok := w.runs[run(t[i:i+Fragment])]; ok {
				found = append(found, v.original(i, i+Fragment))
			}
		}
		if i+Fragment >= len(t) {
			return found
		}
		h = h*rollBase + uint32(t[i+Fragment]) - rollPow*uint32(t[i])
	}
}
