package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

// Every log line of the provider goes through this file: the lines of the API client
// (clientLogger) and the provider's own (providerData.info, warn and debug). Besides the masks of
// the context (maskContext: the credentials, every ps_ value, the fields that hold keys), the
// provider's own lines are redacted by the run's client, which knows the configured credentials
// and every key id it has listed or made: a key id is masked whatever field or message holds it.

var _ pilotstatus.Logger = clientLogger{}

// clientLogger sends the API client's log lines, which the client has redacted, to tflog, under the
// masks of the request's context and the configured credentials.
type clientLogger struct {
	secrets []string
}

func newClientLogger(secrets []string) clientLogger { return clientLogger{secrets: secrets} }

func (l clientLogger) Log(ctx context.Context, level pilotstatus.Level, msg string, fields map[string]any) {
	emit(maskContext(ctx, l.secrets), level, msg, fields)
}

// info, warn and debug log one of the provider's own lines, redacted (logAt).
func (d *providerData) info(ctx context.Context, msg string, fields map[string]any) {
	d.logAt(ctx, pilotstatus.LevelInfo, msg, fields)
}

func (d *providerData) warn(ctx context.Context, msg string, fields map[string]any) {
	d.logAt(ctx, pilotstatus.LevelWarn, msg, fields)
}

func (d *providerData) debug(ctx context.Context, msg string, fields map[string]any) {
	d.logAt(ctx, pilotstatus.LevelDebug, msg, fields)
}

// logAt logs msg with fields at level, the message and every string value redacted by the run's
// client (Redact without one: a provider not configured yet knows no key id).
func (d *providerData) logAt(ctx context.Context, level pilotstatus.Level, msg string, fields map[string]any) {
	redact := func(s string) string { return pilotstatus.Redact(s) }
	if d != nil && d.client != nil {
		redact = d.client.Redact
	}
	var safe map[string]any
	if fields != nil {
		safe = make(map[string]any, len(fields))
		for k, v := range fields {
			if s, ok := v.(string); ok {
				v = redact(s)
			}
			safe[k] = v
		}
	}
	emit(ctx, level, redact(msg), safe)
}

// emit writes one line at level to tflog.
func emit(ctx context.Context, level pilotstatus.Level, msg string, fields map[string]any) {
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
