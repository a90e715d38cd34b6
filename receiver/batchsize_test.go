package autoopsreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otlp.check_batch_size reads the sizes users write; anything else, or more than 16MiB, is a
// validation error naming the key.
func TestCheckBatchSize(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "4MiB": 4 << 20, "1 MiB": 1 << 20, "1500KB": 1500000, "1048576": 1 << 20, "16MiB": 16 << 20, "512KiB": 512 << 10} {
		got, err := parseBatchSize(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"4GB", "17MiB", "0", "-1MiB", "four", "4 Mi", "99999999999999999999"} {
		cfg := createDefaultConfig().(*Config)
		cfg.OTLP.Endpoint = "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"
		cfg.OTLP.CheckBatchSize = in
		err := cfg.Validate()
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), "otlp.check_batch_size", in)
	}
}
