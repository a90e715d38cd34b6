package scrub

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The memo of clean texts recalls only exact texts found clean: a page that echoes a secret is
// scrubbed every time it comes, before and after a clean one that differs from it by two bytes.
func TestCleanMemoNeverPassesASecret(t *testing.T) {
	r := NewRedactor(testSecrets())
	clean := `{"error":"unauthorized","token":"tok-value-0123"}`
	echo := `{"error":"unauthorized","token":"tok3n-value-0123"}`
	for range 3 {
		assert.Equal(t, clean, r.Redact(clean))
		assert.Equal(t, `{"error":"unauthorized","token":"[REDACTED]"}`, r.Redact(echo))
		out, _ := r.Cut([]byte(echo), 1<<10)
		assert.NotContains(t, string(out), testToken)
		out, truncated := r.Cut([]byte(clean), 10)
		assert.Equal(t, clean[:10], string(out), "a remembered text is still cut at the limit")
		assert.True(t, truncated)
	}
	assert.Len(t, r.clean.texts, 1, "only the clean text is remembered")
}

// The memo is bounded per Redactor: texts that change every run fill it once and stop there.
func TestCleanMemoIsBounded(t *testing.T) {
	r := NewRedactor(testSecrets())
	for i := range 10 * maxCleanTexts {
		r.Redact(strings.Repeat("x", i%3000) + "-" + strings.Repeat("y", i))
	}
	r.Redact(strings.Repeat("z", maxCleanText+1))
	assert.LessOrEqual(t, len(r.clean.texts), maxCleanTexts)
	assert.LessOrEqual(t, r.clean.bytes, maxCleanBytes)
	for text := range r.clean.texts {
		assert.LessOrEqual(t, len(text), maxCleanText)
	}
}

// One redactor serves every instance with the same secrets, from their probes' goroutines at
// once: the memo is read and filled concurrently (the race detector watches this in make test).
func TestCleanMemoConcurrent(t *testing.T) {
	r := NewRedactor(testSecrets())
	echo := "token " + testToken
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				text := strings.Repeat("a", (g*200+i)%97)
				assert.Equal(t, text, r.Redact(text))
				assert.Equal(t, "token [REDACTED]", r.Redact(echo))
			}
		})
	}
	wg.Wait()
}
