// Package autoopsprobe is the module's entry point: it exposes the autoops_probe receiver
// factory for collector distributions and is where mdatagen reads metadata.yaml.
//
//go:generate go tool mdatagen metadata.yaml
package autoopsprobe
