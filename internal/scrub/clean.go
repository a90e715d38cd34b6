package scrub

import "sync"

// A steady probe reads the same answers every run (the cluster's root, its license, the cloud's
// 401 pages), and scanning each again for every form of every secret was most of the
// scrubbing's cost. A Redactor remembers, exactly, texts it found to hold no secret: the memo
// never decides that a text is clean, it only recalls a scan's answer for the same bytes.
const (
	maxCleanTexts = 64
	maxCleanBytes = 64 << 10 // per Redactor; a longer text is scanned every time
	maxCleanText  = 16 << 10
)

type cleanTexts struct {
	mu    sync.Mutex
	texts map[string]struct{}
	bytes int
}

func (c *cleanTexts) has(b []byte) bool {
	if len(b) > maxCleanText {
		return false // never remembered: no lock, no hash of a long body
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.texts[string(b)] // no copy: the compiler looks up without converting
	return ok
}

func (c *cleanTexts) hasString(s string) bool {
	if len(s) > maxCleanText {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.texts[s]
	return ok
}

// add remembers a copy of b while there is room; only what is stored is copied. A full memo
// stays as it is: texts that change every run (a date in a page) would otherwise evict the ones
// that repeat, and cost a copy each time.
func (c *cleanTexts) add(b []byte) {
	if len(b) > maxCleanText {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.texts) >= maxCleanTexts || c.bytes+len(b) > maxCleanBytes {
		return
	}
	if c.texts == nil {
		c.texts = make(map[string]struct{})
	}
	if _, ok := c.texts[string(b)]; !ok {
		c.texts[string(b)] = struct{}{}
		c.bytes += len(b)
	}
}

// spansOf is spans, recalling texts already found clean.
func (r *Redactor) spansOf(b []byte) []span {
	if r.clean.has(b) {
		return nil
	}
	found := r.spans(b)
	if len(found) == 0 {
		r.clean.add(b)
	}
	return found
}
