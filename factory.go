package autoopsprobe

import (
	"go.opentelemetry.io/collector/receiver"

	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// NewFactory returns the factory of the autoops_probe receiver, for ocb and for
// distributions that list their components in Go.
func NewFactory() receiver.Factory {
	return autoopsreceiver.NewFactory()
}
