package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

var _ pilotstatus.Logger = clientLogger{}

// clientLogger sends the API client's log lines to tflog, under the masks of the
// request's context and the configured credentials.
type clientLogger struct {
	secrets []string
}

func newClientLogger(secrets []string) clientLogger { return clientLogger{secrets: secrets} }

func (l clientLogger) Log(ctx context.Context, level pilotstatus.Level, msg string, fields map[string]any) {
	ctx = maskContext(ctx, l.secrets)
	switch level {
	case pilotstatus.LevelTrace:
		tflog.Trace(ctx, msg, fields)
	case pilotstatus.LevelDebug:
		tflog.Debug(ctx, msg, fields)
	case pilotstatus.LevelInfo:
		tflog.Info(ctx, msg, fields)
	default:
		tflog.Warn(ctx, msg, fields)
	}
}
