package autoopsreceiver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxBatchSize bounds otlp.check_batch_size: four times the agent's largest batch (4 MiB,
// autoops-facts, "The exporter"), so that a check never turns into a load test.
const maxBatchSize = 16 << 20

// batchUnits are the suffixes otlp.check_batch_size accepts, longest first.
var batchUnits = []struct {
	suffix string
	factor int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"KB", 1000}, {"MB", 1000 * 1000}, {"B", 1}}

// parseBatchSize reads a size such as 4MiB, 1500KB or 1048576 (bytes); "" is off (0).
func parseBatchSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	num, factor := s, int64(1)
	for _, u := range batchUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, factor = strings.TrimSpace(rest), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a size; give one such as 4MiB (the agent's batches are 1 to 4 MiB)", s)
	case n <= 0:
		return 0, errors.New("give a positive size such as 4MiB, or leave it unset to skip the check")
	case n > maxBatchSize/factor:
		return 0, fmt.Errorf("%s is more than 16MiB: the agent's batches are at most 4 MiB", s)
	}
	return n * factor, nil
}
