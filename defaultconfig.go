package autoopsprobe

import _ "embed"

// DefaultConfig is otelcol-autoops.yaml, the distribution's default configuration: it reads
// the AutoOps agent's variables. The one-shot command probes what it describes.
//
//go:embed otelcol-autoops.yaml
var DefaultConfig string
