package main

import "testing"

func TestQuietLogSettings(t *testing.T) {
	t.Parallel()
	quiet := quietLogSettings([]string{"HOME=/root", "PATH=/usr/bin", "PILOTSTATUS_API_KEY=ps_x", "TF_IN_AUTOMATION=1", "TF_CLI_CONFIG_FILE=/x"})
	if len(quiet) != len(quietLevels) {
		t.Fatalf("without any log variable the provider must silence %v, got %v", quietLevels, quiet)
	}
	for _, name := range quietLevels {
		if quiet[name] != "off" {
			t.Errorf("%s = %q, want off", name, quiet[name])
		}
	}
	// Any request for logs, of Terraform's or of the provider's, keeps every line.
	for _, asked := range []string{"TF_LOG=trace", "TF_LOG=", "TF_LOG_PATH=/tmp/tf.log", "TF_LOG_PROVIDER=debug",
		"TF_LOG_PROVIDER_PILOTSTATUS=trace", "TF_LOG_SDK_FRAMEWORK=trace", "TF_LOG_CORE=info", "tf_log=debug",
		"TOFU_LOG=trace", "TF_ACC_LOG=debug", "TF_ACC_LOG_PATH=/tmp/acc.log"} {
		if got := quietLogSettings([]string{"HOME=/root", asked}); got != nil {
			t.Errorf("with %s set the provider silenced its logs: %v", asked, got)
		}
	}
}
