// Package provider implements the Pilot Status provider for Terraform and OpenTofu.
package provider

import (
	"cmp"
	"context"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

var (
	_ provider.Provider                       = (*pilotStatusProvider)(nil)
	_ provider.ProviderWithValidateConfig     = (*pilotStatusProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*pilotStatusProvider)(nil)
	_ provider.ProviderWithListResources      = (*pilotStatusProvider)(nil)
)

// The range of max_requests_per_second: from one request every 100 seconds to 1000
// a second.
const (
	minRequestsPerSecond = 0.01
	maxRequestsPerSecond = 1000
)

// options tune a provider instance for tests: shorter retry waits and settle time, an
// environment of their own and a fake clock. New uses none of them.
type options struct {
	// retryWaitMin and retryWaitMax replace the client's backoff bounds.
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	// settleTime replaces the default regeneration_settle_time (twice request_timeout).
	settleTime time.Duration
	// getenv reads the environment; os.Getenv unless a test gives the provider its own, as
	// tests run in parallel in one process.
	getenv func(string) string
	// now is the clock of scheduled rotation; tests inject a fake one.
	now func() time.Time
}

type option func(*options)

// pilotStatusProvider is the provider implementation.
type pilotStatusProvider struct {
	version string
	opts    options
}

// providerModel maps the provider configuration.
type providerModel struct {
	APIKey               types.String  `tfsdk:"api_key"`
	APIKeyID             types.String  `tfsdk:"api_key_id"`
	BaseURL              types.String  `tfsdk:"base_url"`
	MaxRetries           types.Int64   `tfsdk:"max_retries"`
	RequestTimeout       types.String  `tfsdk:"request_timeout"`
	MaxRequestsPerSecond types.Float64 `tfsdk:"max_requests_per_second"`
	SettleTime           types.String  `tfsdk:"regeneration_settle_time"`
}

// New returns a constructor of the provider, as providerserver.Serve expects.
func New(version string) func() provider.Provider {
	return newWithOptions(version)
}

func newWithOptions(version string, opts ...option) func() provider.Provider {
	return func() provider.Provider {
		p := &pilotStatusProvider{version: version}
		p.opts.getenv = os.Getenv
		for _, o := range opts {
			o(&p.opts)
		}
		return p
	}
}

func (p *pilotStatusProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "pilotstatus"
	resp.Version = p.version
}

func (p *pilotStatusProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

// providerSchema declares the provider's arguments, one attribute each.
//
//nolint:funlen // a declaration: splitting it would scatter the arguments' docs and validators.
func providerSchema() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Manages the API keys of [Pilot Status](https://pilotstatus.com.br) WhatsApp numbers. " +
			"The provider needs the **tenant-scoped** key (Dashboard → Profile → API); a number-scoped key is refused by the API.",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				MarkdownDescription: "The tenant-scoped Pilot Status API key (`ps_...`), sent as the `x-api-key` header. " +
					"Falls back to the `" + envAPIKey + "` environment variable, then `" + envAPIKeyAlt + "`. " +
					"Conflicts with `api_key_id`.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(path.MatchRoot("api_key_id")),
				},
			},
			"api_key_id": schema.StringAttribute{
				MarkdownDescription: "The id of the tenant-scoped key, sent as the `x-api-key-id` header instead of the key itself. " +
					"Falls back to the `" + envAPIKeyID + "` environment variable. Conflicts with `api_key`.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
				},
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "The API's base URL. Defaults to `" + pilotstatus.DefaultBaseURL + "`; falls back to the `" +
					envBaseURL + "` environment variable. Must use `https`, except for a loopback host " +
					"(`127.0.0.0/8`, `::1`, `localhost`), where plain `http` is allowed for local testing.",
				Optional: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a read is retried after a `429 Too Many Requests`, a `5xx` answer (except `501`) " +
					"or a network failure; TLS certificate errors are not retried. Waits honour `Retry-After` (up to five minutes; a longer " +
					"one ends the retries), otherwise back off exponentially with jitter. For a regeneration it bounds, per key and apply, " +
					"the attempts that did nothing and are retried the same way: `429`s, refused connections, and the API's own failure " +
					"answers (a `500` or `503` with its error body) after which the key list shows the key unchanged. An answer that may " +
					"have come after the work was done is never retried this way: see `regeneration_settle_time`. From `0` (no retries) " +
					"to `20`; defaults to `" + strconv.Itoa(defaultMaxRetries) + "`.",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.Between(0, 20),
				},
			},
			"max_requests_per_second": schema.Float64Attribute{
				MarkdownDescription: "A ceiling on the provider's request rate: at most this many a second, evenly spaced, retries " +
					"included, across every resource and data source of this provider configuration. Without it the provider learns the " +
					"API's limit from its `429 Too Many Requests` answers and paces itself below it; with it, the learnt rate never passes " +
					"this value, and requests are paced at it from the start, so a run that knows the limit sees no `429`. When several " +
					"runs share the account's limit at once, give each its share. The wait for a turn does not count against " +
					"`request_timeout`. From `" + strconv.FormatFloat(minRequestsPerSecond, 'f', -1, 64) + "` to `" +
					strconv.Itoa(maxRequestsPerSecond) + "`; unset (the default): no ceiling, the rate is learnt.",
				Optional: true,
				Validators: []validator.Float64{
					float64validator.Between(minRequestsPerSecond, maxRequestsPerSecond),
				},
			},
			"regeneration_settle_time": schema.StringAttribute{
				MarkdownDescription: "How long the provider watches the key list after a regeneration that got no answer from the API " +
					"(a timeout, a reset connection, a gateway's `502` or `504`, a page that is not the API's), as a positive Go duration " +
					"(`2m`). Such a request may still reach the API and regenerate the key later, so the provider never sends a second " +
					"one while the first may land: if the number's key changes within this time and the key list reveals it, that key is " +
					"stored and nothing is regenerated again; only when the time passes without a change is the key regenerated once " +
					"more. At most two regeneration requests that may have been carried out are sent per key and apply. The API's own " +
					"failure answers are not watched for: one read of the key list decides them. A request delayed for longer than this " +
					"can still land afterwards: the next refresh then reports the key as rotated outside Terraform. Defaults to twice " +
					"`request_timeout`.",
				Optional: true,
				Validators: []validator.String{
					durationValidator,
				},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one request attempt may take, as a positive Go duration (`30s`, `2m`); each retry " +
					"gets the same time again. Defaults to `" + strconv.Itoa(int(pilotstatus.DefaultRequestTimeout/time.Second)) + "s`.",
				Optional: true,
				Validators: []validator.String{
					durationValidator,
				},
			},
		},
	}
}

func (p *pilotStatusProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.BaseURL.IsNull() && !m.BaseURL.IsUnknown() {
		if d := checkBaseURL(m.BaseURL.ValueString(), "base_url"); d != nil {
			resp.Diagnostics.Append(d)
		}
	}
}

func (p *pilotStatusProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, diags := resolveSettings(m, p.opts.getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	cfg := pilotstatus.Config{
		BaseURL:              settings.baseURL,
		APIKey:               settings.apiKey,
		APIKeyID:             settings.apiKeyID,
		UserAgent:            "terraform-provider-pilotstatus/" + p.version,
		MaxRetries:           settings.maxRetries,
		RequestTimeout:       settings.requestTimeout,
		SettleTime:           cmp.Or(settings.settleTime, p.opts.settleTime),
		MaxRequestsPerSecond: settings.maxRequestsPerSecond,
		RetryWaitMin:         p.opts.retryWaitMin,
		RetryWaitMax:         p.opts.retryWaitMax,
		Logger:               newClientLogger(settings.secrets()),
	}
	client, err := pilotstatus.New(cfg)
	if err != nil {
		resp.Diagnostics.Append(invalidCredential(settings.credential(), err))
		return
	}

	data := newProviderData(client, settings.credential())
	if p.opts.now != nil {
		data.now = p.opts.now
	}
	ctx = data.maskContext(ctx)
	data.info(ctx, "Configured Pilot Status provider", map[string]any{
		"base_url":                settings.baseURL,
		"auth_header":             settings.authHeader(),
		"max_retries":             settings.maxRetries,
		"max_requests_per_second": settings.maxRequestsPerSecond,
	})
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
}

func (p *pilotStatusProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewNumberAPIKeyResource,
	}
}

func (p *pilotStatusProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewNumbersDataSource,
		NewAPIKeysDataSource,
	}
}

func (p *pilotStatusProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewNumberAPIKeyEphemeralResource,
	}
}

func (p *pilotStatusProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewNumberAPIKeyListResource,
	}
}
