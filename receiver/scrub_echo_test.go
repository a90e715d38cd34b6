package autoopsreceiver

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/plog"
)

// echoEncoded answers with the request's headers three ways: UTF-16LE, UTF-16BE with a byte
// order mark, and the base64 of the whole header block (each line at its own alignment).
func echoEncoded(w http.ResponseWriter, r *http.Request) {
	var block strings.Builder
	_ = r.Header.Write(&block)
	text := block.String()
	var le, be []byte
	be = append(be, 0xFE, 0xFF)
	for _, u := range utf16.Encode([]rune(text)) {
		le = append(le, byte(u), byte(u>>8))
		be = append(be, byte(u>>8), byte(u))
	}
	w.WriteHeader(http.StatusBadGateway)
	_, _ = w.Write(append(append(append(le, "\n--\n"...), be...), "\n--\n"+base64.StdEncoding.EncodeToString([]byte(text))+"\n"+base64.RawURLEncoding.EncodeToString([]byte("x"+text))...))
}

// A server that echoes the request's credentials in UTF-16 or inside the base64 of its
// headers brings none of them into the evidence, the log record or the summary.
func TestEncodedEchoesNeverReachTheResults(t *testing.T) {
	cluster := httptest.NewServer(http.HandlerFunc(echoEncoded))
	defer cluster.Close()
	intake := httptest.NewServer(http.HandlerFunc(echoEncoded))
	defer intake.Close()
	const apiKey, token = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw", "s3cret-autoops-token"
	encodedKey := base64.StdEncoding.EncodeToString([]byte(apiKey))

	cfg := createDefaultConfig().(*Config)
	cfg.Cluster.Endpoint, cfg.Cluster.APIKey = cluster.URL, apiKey
	cfg.Registration.Enabled = false
	cfg.OTLP.Endpoint, cfg.OTLP.Token = intake.URL, token
	results, err := RunOnce(context.Background(), cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	require.Len(t, results, 2)
	for _, r := range results {
		require.NotNil(t, r.Evidence.Main.Response)
		body := r.Evidence.Main.Response.Body
		require.NotEmpty(t, body)
		lr := plog.NewLogRecord()
		fillLogRecord(lr, &r, 0, "autoops_probe")
		text := strings.ReplaceAll(string(body), "\x00", "") + lr.Body().Str() + r.Verdict.Summary()
		for _, v := range lr.Attributes().All() {
			text += v.AsString()
		}
		assert.Contains(t, text, "[REDACTED]")
		for _, s := range []string{"ui2lp2axTNmsyakw9tvNnw", encodedKey[:16], encodedKey[len(encodedKey)-16:], token} {
			assert.NotContains(t, text, s, "%s", r.Evidence.Probe)
		}
		// The base64 parts, read back: what a curious reader of the evidence would try.
		for _, part := range strings.Split(string(body), "\n") {
			for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
				for _, piece := range strings.Split(part, "[REDACTED]") {
					for off := range 4 {
						if off >= len(piece) {
							break
						}
						p := piece[off:]
						dec, _ := enc.DecodeString(strings.TrimRight(p[:len(p)/4*4], "="))
						for _, s := range []string{"ui2lp2axTNms", encodedKey[:12], token[:12]} {
							assert.NotContains(t, string(dec), s, "%s", r.Evidence.Probe)
						}
					}
				}
			}
		}
	}
}
