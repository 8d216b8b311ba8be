package provider

import (
	"maps"
	"testing"
)

func TestSDKLogLevelsFollowWhatTerraformShows(t *testing.T) {
	both := func(level string) map[string]string {
		return map[string]string{"TF_LOG_SDK_FRAMEWORK": level, "TF_LOG_SDK_PROTO": level}
	}
	for _, tc := range []struct {
		env  map[string]string
		want map[string]string
	}{
		{env: nil, want: both("OFF")},
		{env: map[string]string{"TF_LOG": "trace"}, want: both("TRACE")},
		{env: map[string]string{"TF_LOG": "JSON"}, want: both("TRACE")},
		{env: map[string]string{"TF_LOG": "1"}, want: both("TRACE")},
		{env: map[string]string{"TF_LOG": "off"}, want: both("OFF")},
		{env: map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "warn"}, want: both("WARN")},
		{env: map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, want: both("DEBUG")},
		{env: map[string]string{"TF_LOG": "TRACE", "TF_LOG_SDK_FRAMEWORK": "INFO"}, want: map[string]string{"TF_LOG_SDK_PROTO": "TRACE"}},
	} {
		if got := SDKLogLevels(func(name string) string { return tc.env[name] }); !maps.Equal(got, tc.want) {
			t.Errorf("with %v: SDKLogLevels = %v, want %v", tc.env, got, tc.want)
		}
	}
}
