// Package kubernetes holds the manifests that run the probe beside the agent in Kubernetes,
// one folder per install method; this test checks them without a cluster, against the install
// methods' real Secret names, keys and variables (contract v4, "Install methods, by their real
// names").
package kubernetes

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
)

// secret is a Secret an install method creates (or has the user create): each key, the
// variable the install method gives it to the agent as, and whether the key may be missing.
type secret struct {
	name     string
	keys     map[string]string
	optional []string
}

// installMethod is one way Elastic installs the agent in Kubernetes, with its real names.
type installMethod struct {
	name string
	// dir holds this method's manifests.
	dir     string
	secrets []secret
	// credentials are the variables this method gives the cluster's credentials as; others,
	// the other generation's names, which its manifests must not use.
	credentials, others []string
	// agentContainer is the agent's container, for kubectl debug --target ("" where the
	// operator makes the agent's pods).
	agentContainer string
	// deployment: the folder also has a Deployment of the distribution.
	deployment bool
}

var (
	autoopsESCredentials = []string{agentconfig.VarESAPIKey, agentconfig.VarESUsername, agentconfig.VarESPassword}
	readCredentials      = []string{agentconfig.VarReadAPIKey, agentconfig.VarReadUsername, agentconfig.VarReadPassword}
)

// installMethods are contract v4's install methods (autoops-facts.md, "Environment of the real
// agent").
var installMethods = []installMethod{
	{
		name: "Elastic's YAML",
		dir:  "elastic-yaml",
		secrets: []secret{{
			name: "autoops-secret",
			keys: map[string]string{
				"autoops-token":                agentconfig.VarToken,
				"autoops-es-url":               agentconfig.VarESURL,
				"temp-resource-id":             agentconfig.VarTempResourceID,
				"autoops-otel-url":             agentconfig.VarOTelURL,
				"es-username":                  agentconfig.VarESUsername,
				"es-password":                  agentconfig.VarESPassword,
				"es-api-key":                   agentconfig.VarESAPIKey,
				"cloud-connected-mode-api-key": agentconfig.VarRegistrationAPIKey,
				"cloud-connected-mode-api-url": agentconfig.VarRegistrationURL,
			},
			optional: []string{"es-username", "es-password", "es-api-key", "cloud-connected-mode-api-key", "cloud-connected-mode-api-url"},
		}},
		credentials:    autoopsESCredentials,
		others:         readCredentials,
		agentContainer: "autoops-elastic-agent",
		deployment:     true,
	},
	{
		name: "Elastic's Helm chart",
		dir:  "helm",
		secrets: []secret{{
			// agent-autoops-<release>-autoops, RELEASE the placeholder the manifests carry.
			name: "agent-autoops-RELEASE-autoops",
			keys: map[string]string{
				"autoops-token":                agentconfig.VarToken,
				"temp-resource-id":             agentconfig.VarTempResourceID,
				"otel-url":                     agentconfig.VarOTelURL,
				"autoops-es-url":               agentconfig.VarESURL,
				"es-api-key":                   agentconfig.VarReadAPIKey,
				"es-username":                  agentconfig.VarReadUsername,
				"es-password":                  agentconfig.VarReadPassword,
				"cloud-connected-mode-api-key": agentconfig.VarRegistrationAPIKey,
				"cloud-connected-mode-api-url": agentconfig.VarRegistrationURL,
			},
			// The chart writes every key; the credentials and the registration URL may be empty.
			optional: []string{"es-username", "es-password", "es-api-key", "cloud-connected-mode-api-key", "cloud-connected-mode-api-url"},
		}},
		credentials:    readCredentials,
		others:         autoopsESCredentials,
		agentContainer: "agent",
		deployment:     true,
	},
	{
		name: "ECK",
		dir:  "eck",
		secrets: []secret{
			{
				// The Secret the AutoOpsAgentPolicy names: autoops-config in Elastic's example.
				name: "autoops-config",
				keys: map[string]string{
					"autoops-token":                agentconfig.VarToken,
					"autoops-otel-url":             agentconfig.VarOTelURL,
					"cloud-connected-mode-api-key": agentconfig.VarRegistrationAPIKey,
					"cloud-connected-mode-api-url": agentconfig.VarRegistrationURL,
				},
				optional: []string{"cloud-connected-mode-api-url"},
			},
			{
				// ECK makes the agent's cluster credentials itself: the probe's come from a
				// Secret the user makes, every key optional.
				name: "autoops-probe-es",
				keys: map[string]string{
					"es-api-key":  agentconfig.VarESAPIKey,
					"es-username": agentconfig.VarESUsername,
					"es-password": agentconfig.VarESPassword,
				},
				optional: []string{"es-api-key", "es-username", "es-password"},
			},
		},
		credentials: autoopsESCredentials,
		others:      readCredentials,
	},
}

// decodeStrict fails on any field the Kubernetes type does not have, as the API server does
// with field validation Strict.
func decodeStrict(t *testing.T, path string, into any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, yaml.UnmarshalStrict(raw, into), path)
}

// probeReads tells whether the probe reads a variable: one of the agent's, or one of the
// distribution's default configuration's own (AUTOOPS_PROBE_*).
func probeReads(name string) bool {
	return slices.Contains(agentconfig.VariableNames(), name) || strings.HasPrefix(name, "AUTOOPS_PROBE_")
}

// checkEnv holds a container's environment against its install method's table.
func checkEnv(t *testing.T, m installMethod, where string, c corev1.Container) {
	t.Helper()
	require.NotEmpty(t, c.Env, where)
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
		assert.True(t, probeReads(e.Name), "%s sets %s, which the probe does not read", where, e.Name)
		assert.NotEqual(t, agentconfig.VarRegistrationAPIKey, e.Name, "%s: the probe never registers, so it never gets the registration API key", where)
		if e.ValueFrom == nil {
			if e.Name == agentconfig.VarESCA || e.Name == agentconfig.VarCACert {
				mounted := slices.ContainsFunc(c.VolumeMounts, func(v corev1.VolumeMount) bool {
					return strings.HasPrefix(e.Value, strings.TrimSuffix(v.MountPath, "/")+"/")
				})
				assert.True(t, mounted, "%s: %s=%s lies in no volume mount", where, e.Name, e.Value)
			}
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		require.NotNil(t, ref, "%s: %s comes from a Secret", where, e.Name)
		i := slices.IndexFunc(m.secrets, func(s secret) bool { return s.name == ref.Name })
		if !assert.GreaterOrEqual(t, i, 0, "%s: %s reads Secret %q, which is not one of %s's", where, e.Name, ref.Name, m.name) {
			continue
		}
		s := m.secrets[i]
		variable, ok := s.keys[ref.Key]
		if !assert.True(t, ok, "%s: key %q is not one of Secret %s's", where, ref.Key, s.name) {
			continue
		}
		assert.Equal(t, variable, e.Name, "%s: with %s, key %q of %s goes in as %s", where, m.name, ref.Key, s.name, variable)
		if slices.Contains(s.optional, ref.Key) {
			assert.True(t, ref.Optional != nil && *ref.Optional, "%s: key %q may be missing: optional: true", where, ref.Key)
		}
	}
	for _, name := range m.credentials {
		assert.Contains(t, names, name, "%s: %s gives the credentials as %s", where, m.name, name)
	}
	for _, name := range m.others {
		assert.NotContains(t, names, name, "%s: %s does not set %s", where, m.name, name)
	}
}

// checkPod holds what every manifest keeps: non-root, a read-only root file system, resources.
func checkPod(t *testing.T, where string, pod corev1.PodSpec) {
	t.Helper()
	require.NotNil(t, pod.SecurityContext, where)
	assert.True(t, pod.SecurityContext.RunAsNonRoot != nil && *pod.SecurityContext.RunAsNonRoot, "%s runs as non-root", where)
	require.Len(t, pod.Containers, 1, where)
	c := pod.Containers[0]
	require.NotNil(t, c.SecurityContext, where)
	assert.True(t, c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem, "%s: read-only root file system", where)
	assert.True(t, c.SecurityContext.AllowPrivilegeEscalation != nil && !*c.SecurityContext.AllowPrivilegeEscalation, "%s: no privilege escalation", where)
	assert.NotEmpty(t, c.Resources.Requests, "%s: resource requests", where)
	assert.NotEmpty(t, c.Resources.Limits, "%s: resource limits", where)
}

func TestJobs(t *testing.T) {
	for _, m := range installMethods {
		t.Run(m.name, func(t *testing.T) {
			path := filepath.Join(m.dir, "autoops-probe-job.yaml")
			var job batchv1.Job
			decodeStrict(t, path, &job)
			assert.Equal(t, "Job", job.Kind)
			assert.Empty(t, job.Namespace, "%s: applied in the agent's namespace, not a fixed one", path)
			pod := job.Spec.Template.Spec
			assert.Equal(t, corev1.RestartPolicyNever, pod.RestartPolicy, "a one-shot runs once")
			assert.NotNil(t, job.Spec.ActiveDeadlineSeconds, "%s: a pod that cannot start ends the Job", path)
			checkPod(t, path, pod)
			assert.True(t, strings.HasPrefix(pod.Containers[0].Image, "localhost/autoops-probe:"), path)
			checkEnv(t, m, path, pod.Containers[0])
		})
	}
}

func TestDeployments(t *testing.T) {
	for _, m := range installMethods {
		if !m.deployment {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			path := filepath.Join(m.dir, "otelcol-autoops-deployment.yaml")
			var d appsv1.Deployment
			decodeStrict(t, path, &d)
			assert.Equal(t, "Deployment", d.Kind)
			assert.Empty(t, d.Namespace, "%s: applied in the agent's namespace, not a fixed one", path)
			pod := d.Spec.Template.Spec
			checkPod(t, path, pod)
			c := pod.Containers[0]
			var ports []int32
			for _, p := range c.Ports {
				ports = append(ports, p.ContainerPort)
			}
			assert.Contains(t, ports, int32(9464), "the Prometheus port")
			checkEnv(t, m, path, c)
			assert.Equal(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
		})
	}
}

// Every manifest in the folders is one the tests above check.
func TestEveryManifestChecked(t *testing.T) {
	files, err := filepath.Glob("*/*.yaml")
	require.NoError(t, err)
	var checked []string
	for _, m := range installMethods {
		checked = append(checked, filepath.Join(m.dir, "autoops-probe-job.yaml"))
		if m.deployment {
			checked = append(checked, filepath.Join(m.dir, "otelcol-autoops-deployment.yaml"))
		}
	}
	for _, f := range files {
		assert.Contains(t, checked, f, "%s is checked by no test", f)
	}
	top, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	assert.Empty(t, top, "manifests live in the folder of their install method")
}

// The README's recipes name what the install methods really create: the agent's container
// for kubectl debug --target, its Secret for kubectl get secret, and manifests that exist.
func TestREADMERecipes(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(raw)

	var containers, secrets []string
	for _, m := range installMethods {
		if m.agentContainer != "" {
			containers = append(containers, m.agentContainer)
		}
		for _, s := range m.secrets {
			secrets = append(secrets, s.name)
		}
	}
	var targets []string
	for _, m := range regexp.MustCompile(`--target=(\S+)`).FindAllStringSubmatch(readme, -1) {
		targets = append(targets, m[1])
		assert.Contains(t, containers, m[1], "kubectl debug --target=%s: no install method's agent container", m[1])
	}
	for _, c := range containers {
		assert.Contains(t, targets, c, "the README shows no kubectl debug for the container %s", c)
	}
	for _, m := range regexp.MustCompile(`get secret (\S+)`).FindAllStringSubmatch(readme, -1) {
		name := strings.ReplaceAll(m[1], "<release>", "RELEASE")
		assert.Contains(t, secrets, name, "kubectl get secret %s: no install method's Secret", m[1])
	}
	paths := regexp.MustCompile(`deploy/kubernetes/[\w./-]*[\w/]`).FindAllString(readme, -1)
	require.NotEmpty(t, paths)
	for _, p := range paths {
		_, err := os.Stat(filepath.Join("../..", p))
		assert.NoError(t, err, "the README names %s", p)
	}
}

// A field Kubernetes does not know fails the decoding: the check can fail.
func TestUnknownFieldsFail(t *testing.T) {
	var job batchv1.Job
	err := yaml.UnmarshalStrict([]byte("apiVersion: batch/v1\nkind: Job\nspec:\n  backofLimit: 0\n"), &job)
	require.Error(t, err)
}
