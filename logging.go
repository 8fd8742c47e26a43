package main

import "strings"

// The plugin SDK formats every log line of the provider, up to trace level, as
// JSON on stderr, whatever the user asked for; Terraform and OpenTofu then parse
// each line and drop it unless TF_LOG (or TF_LOG_PROVIDER, ...) asks for it. With
// no logging asked for, that is work nobody reads: a profile of a 500-key apply
// put about 29% of the provider's CPU time in it. These are the variables that
// set the levels of the SDK's and the provider's loggers.
var quietLevels = []string{
	"TF_LOG_PROVIDER",
	"TF_LOG_SDK",
	"TF_LOG_SDK_PROTO",
	"TF_LOG_SDK_FRAMEWORK",
}

// quietLogSettings returns the variables to set so that the provider formats no
// log line, or nil when the environment asks for logs in any way: then every line
// is kept, exactly as without this.
func quietLogSettings(environ []string) map[string]string {
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "TF_LOG") || strings.HasPrefix(upper, "TOFU_LOG") || strings.HasPrefix(upper, "TF_ACC_LOG") {
			return nil
		}
	}
	out := make(map[string]string, len(quietLevels))
	for _, name := range quietLevels {
		out[name] = "off"
	}
	return out
}
