package provider

import "strings"

// sdkLogEnvs set the levels of the SDK's own logs: terraform-plugin-framework's, and
// terraform-plugin-go's of every request.
var sdkLogEnvs = []string{"TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"}

// SDKLogLevels are the levels main gives the SDK's own logs that the user has not set: the level
// Terraform shows provider logs at (TF_LOG_PROVIDER, else TF_LOG), or OFF when it shows none.
// Unset, the SDK logs at TRACE whatever TF_LOG says, the framework a line for every value of
// state (hashicorp/terraform-plugin-framework#1269), which Terraform then drops: in a plan of
// applied resources those lines were most of the provider's CPU (bench/PROFILE.md).
func SDKLogLevels(getenv func(string) string) map[string]string {
	shown := getenv("TF_LOG_PROVIDER")
	if shown == "" {
		shown = getenv("TF_LOG")
	}
	level := "TRACE" // JSON, and any other value, is TRACE to Terraform
	switch shown = strings.ToUpper(strings.TrimSpace(shown)); shown {
	case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF":
		level = shown
	case "":
		level = "OFF"
	}
	levels := map[string]string{}
	for _, name := range sdkLogEnvs {
		if getenv(name) == "" {
			levels[name] = level
		}
	}
	return levels
}
