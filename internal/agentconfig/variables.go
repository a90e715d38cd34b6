package agentconfig

// The agent's variables, as its module and Elastic's samples read them (contract v4,
// autoops-facts.md "Environment of the real agent"). Where two names serve one setting, the
// first that is set and not empty wins.
const (
	VarESURL              = "AUTOOPS_ES_URL"
	VarESAPIKey           = "AUTOOPS_ES_API_KEY"
	VarESUsername         = "AUTOOPS_ES_USERNAME"
	VarESPassword         = "AUTOOPS_ES_PASSWORD"
	VarReadAPIKey         = "ELASTICSEARCH_READ_API_KEY"
	VarReadUsername       = "ELASTICSEARCH_READ_USERNAME"
	VarReadPassword       = "ELASTICSEARCH_READ_PASSWORD"
	VarCACert             = "AUTOOPS_CA_CERT"
	VarESCA               = "AUTOOPS_ES_CA"
	VarOTelURL            = "AUTOOPS_OTEL_URL"
	VarToken              = "AUTOOPS_TOKEN"
	VarRegistrationURL    = "ELASTIC_CLOUD_CONNECTED_MODE_API_URL"
	VarRegistrationAPIKey = "ELASTIC_CLOUD_CONNECTED_MODE_API_KEY"
	VarTempResourceID     = "AUTOOPS_TEMP_RESOURCE_ID"
)

// RegistrationSkippers are the variables that make the agent skip registration when set (not
// empty): the value becomes orchestrator.resource.id on every event (Beats
// x-pack/metricbeat/module/autoops_es/utils/resource.go).
var RegistrationSkippers = []string{"DEPLOYMENT_ID", "PROJECT_ID", "RESOURCE_ID"}

// Variable is one setting the agent takes from its environment, with its names in the
// agent's order.
type Variable struct {
	// Setting is the receiver key the value lands in.
	Setting string
	Names   []string
}

// Variables are the settings the probe reads from the agent's variables (without the agent's
// configuration file, as if it ran Elastic's sample), in the agent's order.
var Variables = []Variable{
	{"cluster.endpoint", []string{VarESURL}},
	{"cluster.api_key", []string{VarESAPIKey, VarReadAPIKey}},
	{"cluster.username", []string{VarESUsername, VarReadUsername}},
	{"cluster.password", []string{VarESPassword, VarReadPassword}},
	// The custom-certificate guide's AUTOOPS_CA_CERT, then the ssl sample's AUTOOPS_ES_CA.
	{"cluster.tls.ca", []string{VarCACert, VarESCA}},
	{"registration.endpoint", []string{VarRegistrationURL}},
	{"otlp.endpoint", []string{VarOTelURL}},
	{"otlp.token", []string{VarToken}},
}

// VariableNames are every name in Variables, in order.
func VariableNames() []string {
	var names []string
	for _, v := range Variables {
		names = append(names, v.Names...)
	}
	return names
}

// namesOf are the variable names of setting, in the agent's order.
func namesOf(setting string) []string {
	for _, v := range Variables {
		if v.Setting == setting {
			return v.Names
		}
	}
	panic("agentconfig: no variable for " + setting)
}
