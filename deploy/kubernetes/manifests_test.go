// Package kubernetes holds the manifests that run the probe beside the agent in Kubernetes;
// this test checks them without a cluster.
package kubernetes

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// helmSecretKeys are the keys of the Secret Elastic's Helm chart (autoOps preset) creates.
var helmSecretKeys = []string{
	"autoops-token", "temp-resource-id", "otel-url", "autoops-es-url", "es-api-key", "es-username", "es-password",
	"cloud-connected-mode-api-key", "cloud-connected-mode-api-url",
}

// decodeStrict fails on any field the Kubernetes type does not have, as the API server does
// with field validation Strict.
func decodeStrict(t *testing.T, path string, into any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.UnmarshalStrict(raw, into), path)
}

// readVariables are the variables the probe reads: the agent's, and the default
// configuration's own.
func readVariables(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../otelcol-autoops.yaml")
	require.NoError(t, err)
	var names []string
	for _, m := range regexp.MustCompile(`\$\{env:([A-Z0-9_]+)`).FindAllStringSubmatch(string(raw), -1) {
		names = append(names, m[1])
	}
	return append(names, autoopsreceiver.AgentVariableNames()...)
}

func checkEnv(t *testing.T, name string, env []corev1.EnvVar) {
	t.Helper()
	read := readVariables(t)
	require.NotEmpty(t, env, name)
	for _, e := range env {
		assert.Contains(t, read, e.Name, "%s sets %s, which the probe does not read", name, e.Name)
		if e.ValueFrom != nil {
			ref := e.ValueFrom.SecretKeyRef
			require.NotNil(t, ref, "%s: %s comes from a Secret", name, e.Name)
			assert.True(t, slices.Contains(helmSecretKeys, ref.Key), "%s: Secret key %q is not one of the Helm chart's", name, ref.Key)
		}
	}
}

func TestJobDecodesStrictly(t *testing.T) {
	var job batchv1.Job
	decodeStrict(t, "autoops-probe-job.yaml", &job)
	assert.Equal(t, "Job", job.Kind)
	pod := job.Spec.Template.Spec
	assert.Equal(t, corev1.RestartPolicyNever, pod.RestartPolicy, "a one-shot runs once")
	require.Len(t, pod.Containers, 1)
	checkEnv(t, "the Job", pod.Containers[0].Env)
}

func TestDeploymentDecodesStrictly(t *testing.T) {
	var d appsv1.Deployment
	decodeStrict(t, "otelcol-autoops-deployment.yaml", &d)
	assert.Equal(t, "Deployment", d.Kind)
	c := d.Spec.Template.Spec.Containers
	require.Len(t, c, 1)
	var ports []int32
	for _, p := range c[0].Ports {
		ports = append(ports, p.ContainerPort)
	}
	assert.Contains(t, ports, int32(9464), "the Prometheus port")
	checkEnv(t, "the Deployment", c[0].Env)
	assert.Equal(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
}

// A field Kubernetes does not know fails the decoding: the check can fail.
func TestUnknownFieldsFail(t *testing.T) {
	var job batchv1.Job
	err := yaml.UnmarshalStrict([]byte("apiVersion: batch/v1\nkind: Job\nspec:\n  backofLimit: 0\n"), &job)
	require.Error(t, err)
}
