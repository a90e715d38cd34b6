//go:build !race

package autoopsreceiver

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// costRecord is receiver/testdata/cost.json: the figures a change may not exceed by more than
// costMargin. A change that must cost more updates the record in the same commit, with why.
type costRecord struct {
	AllocsPerRun     float64 `json:"allocs_per_run"`
	BytesPerInstance float64 `json:"bytes_per_instance"`
	Recorded         string  `json:"recorded"`
	Why              string  `json:"why"`
}

const costMargin = 1.15

// TestCostStaysWithinTheRecord fails when a steady run allocates, or an instance holds, more
// than 15% over the record. Allocation counts and held bytes, never time: they are stable
// from one machine and run to the next. (Not under -race, whose runtime allocates otherwise.)
func TestCostStaysWithinTheRecord(t *testing.T) {
	raw, err := os.ReadFile("testdata/cost.json")
	require.NoError(t, err)
	var rec costRecord
	require.NoError(t, json.Unmarshal(raw, &rec))
	allocs, _ := runCost(t, 50)
	perInstance := instanceCost(t, 100)
	t.Logf("allocations per steady run %.0f (record %.0f); bytes per instance %.0f (record %.0f)", allocs, rec.AllocsPerRun, perInstance, rec.BytesPerInstance)
	require.LessOrEqual(t, allocs, rec.AllocsPerRun*costMargin,
		"a steady run allocates more than 15 percent over receiver/testdata/cost.json: find the waste, or update the record with the reason")
	require.LessOrEqual(t, perInstance, rec.BytesPerInstance*costMargin,
		"an instance holds more than 15 percent over receiver/testdata/cost.json: find the waste, or update the record with the reason")
}
