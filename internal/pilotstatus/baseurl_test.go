package pilotstatus_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotstatus/terraform-provider-pilotstatus/internal/pilotstatus"
)

func TestValidateBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw      string
		wantErr  string // substring; "" means valid
		wantPath string
	}{
		{raw: "https://pilotstatus.com.br"},
		{raw: "https://pilotstatus.com.br/"},
		{raw: "HTTPS://pilotstatus.com.br"},
		{raw: "https://api.example.com:8443/prefix/", wantPath: "/prefix"},
		{raw: "http://127.0.0.1:8080"},
		{raw: "http://127.1.2.3"},
		{raw: "http://localhost:9999/base", wantPath: "/base"},
		{raw: "http://LOCALHOST"},
		{raw: "http://[::1]:8080"},
		{raw: "http://example.com", wantErr: `plain http is only allowed for a loopback host (127.0.0.1, ::1, localhost), got "example.com"; use https`},
		{raw: "http://10.0.0.1", wantErr: "plain http is only allowed"},
		{raw: "http://localhost.example.com", wantErr: "plain http is only allowed"},
		{raw: "ftp://pilotstatus.com.br", wantErr: `scheme must be https (or http for a loopback host), got "ftp"`},
		{raw: "pilotstatus.com.br", wantErr: "must be absolute"},
		{raw: "/v1", wantErr: "must be absolute"},
		{raw: "", wantErr: "empty"},
		{raw: " https://pilotstatus.com.br", wantErr: "spaces"},
		{raw: "https://user:hunter2@pilotstatus.com.br", wantErr: "user information"},
		{raw: "https://pilotstatus.com.br?x=1", wantErr: "query"},
		{raw: "https://pilotstatus.com.br?", wantErr: "query"},
		{raw: "https://pilotstatus.com.br#frag", wantErr: "fragment"},
		{raw: "https://", wantErr: "must be absolute"},
		{raw: "https://pilot status.com", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			u, err := pilotstatus.ValidateBaseURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("want an error containing %q, got %v", tt.wantErr, u)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %q does not contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error repeats the password: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if u.Path != tt.wantPath {
				t.Fatalf("path = %q, want %q", u.Path, tt.wantPath)
			}
		})
	}
}

func TestBaseURLPathPrefixIsKept(t *testing.T) {
	t.Parallel()
	var path string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.EscapedPath()
		writeJSON(w, 200, `[]`)
	})
	c := newClient(t, srv.URL+"/proxy/pilot/")
	if _, err := c.ListNumbers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if path != "/proxy/pilot/v1/numbers" {
		t.Fatalf("server saw path %q", path)
	}
}

// A base URL with a path prefix keeps it, joined to /v1/... with one slash; a query, a fragment
// or user information is refused with an error that says which, and repeats no password.
func TestHostileBaseURL(t *testing.T) {
	t.Parallel()
	srv := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		t.Errorf("a request reached the shared server: %s", r.URL)
	})
	host := strings.TrimPrefix(srv.URL, "http://")
	tests := []struct {
		name     string
		base     string
		wantPath string // the path the server sees for GET /v1/numbers
		wantErr  string // substring of the refusal
	}{
		{name: "no path", base: srv.URL, wantPath: "/v1/numbers"},
		{name: "root slash", base: srv.URL + "/", wantPath: "/v1/numbers"},
		{name: "double root slash", base: srv.URL + "//", wantPath: "/v1/numbers"},
		{name: "prefix", base: srv.URL + "/prefix", wantPath: "/prefix/v1/numbers"},
		{name: "prefix slash", base: srv.URL + "/prefix/", wantPath: "/prefix/v1/numbers"},
		{name: "prefix slashes", base: srv.URL + "/prefix///", wantPath: "/prefix/v1/numbers"},
		{name: "two segments", base: srv.URL + "/a/b/", wantPath: "/a/b/v1/numbers"},
		{name: "prefix ending in v1", base: srv.URL + "/v1", wantPath: "/v1/v1/numbers"},
		{name: "escaped slash inside", base: srv.URL + "/a%2Fb/", wantPath: "/a%2Fb/v1/numbers"},
		{name: "space", base: srv.URL + "/pre fix", wantPath: "/pre%20fix/v1/numbers"},
		{name: "unicode", base: srv.URL + "/é", wantPath: "/%C3%A9/v1/numbers"},
		{name: "empty fragment", base: srv.URL + "/prefix#", wantPath: "/prefix/v1/numbers"},
		{name: "query", base: srv.URL + "?a=b", wantErr: "must not contain a query"},
		{name: "prefix and query", base: srv.URL + "/prefix?a=b", wantErr: "must not contain a query"},
		{name: "empty query", base: srv.URL + "/prefix?", wantErr: "must not contain a query"},
		{name: "escaped query", base: srv.URL + "/prefix%3Fa=b", wantPath: "/prefix%3Fa=b/v1/numbers"},
		{name: "fragment", base: srv.URL + "#frag", wantErr: "must not contain a fragment"},
		{name: "prefix and fragment", base: srv.URL + "/prefix/#frag", wantErr: "must not contain a fragment"},
		{name: "user and password", base: "http://admin:hunter2@" + host, wantErr: "must not contain user information"},
		{name: "user", base: "http://admin@" + host + "/prefix", wantErr: "must not contain user information"},
		{name: "empty user information", base: "http://@" + host, wantErr: "must not contain user information"},
		{name: "line break in path", base: srv.URL + "/pre\nfix", wantErr: "not a valid URL"},
		{name: "trailing line break", base: srv.URL + "/prefix\n", wantErr: "spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Each subtest has its own server, so that the one request it sees is this base's.
			own := newRecordingServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				writeJSON(w, http.StatusOK, `[]`)
			})
			base := strings.Replace(tt.base, srv.URL, own.URL, 1)
			c, err := pilotstatus.New(pilotstatus.Config{BaseURL: base, APIKey: tenantKey})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New(%q): err %v, want one containing %q", tt.base, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("the error repeats the password: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tt.base, err)
			}
			u, err := pilotstatus.ValidateBaseURL(base)
			if err != nil || strings.HasSuffix(u.String(), "/") {
				t.Fatalf("ValidateBaseURL(%q) = %v, %v; want no error and no trailing slash", base, u, err)
			}
			if _, err := c.ListNumbers(context.Background()); err != nil {
				t.Fatalf("ListNumbers: %v", err)
			}
			seen := own.requests()
			if len(seen) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(seen))
			}
			if seen[0].escapedPath != tt.wantPath || seen[0].rawQuery != "" {
				t.Fatalf("server saw %q (query %q), want %q", seen[0].escapedPath, seen[0].rawQuery, tt.wantPath)
			}
		})
	}
}

// A base URL given without a scheme, in the user:password@host form, is refused without the
// password in the error.
func TestBaseURLWithoutSchemeHidesPassword(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"admin:hunter2@pilotstatus.com.br", "admin:hunter2@pilotstatus.com.br/prefix"} {
		_, err := pilotstatus.ValidateBaseURL(raw)
		if err == nil {
			t.Fatalf("ValidateBaseURL(%q) accepted it", raw)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ValidateBaseURL(%q): the error repeats the password: %q", raw, err)
		}
	}
}

// A refused base URL is repeated in the error only up to its query or fragment, and never its port:
// a key or a key id pasted there (?api_key=ps_..., #token) would otherwise be shown in a diagnostic.
func TestBaseURLErrorShowsNoQueryOrFragment(t *testing.T) {
	t.Parallel()
	const secret = "ps_Zq8vN3kT6wXy1Lm4"
	for _, raw := range []string{
		"https://api.example.com/?api_key=" + secret,
		"https://api.example.com/prefix?x=1&key_id=" + secret,
		"https://api.example.com/prefix#" + secret,
		"https://api.example.com/prefix?a=b#" + secret,
		"api.example.com?api_key=" + secret,
		"api.example.com#" + secret,
		"https://?api_key=" + secret,
		"https://u:p@?api_key=" + secret,
		"https://api.example.com:" + secret + "/",
	} {
		_, err := pilotstatus.ValidateBaseURL(raw)
		if err == nil {
			t.Errorf("ValidateBaseURL(%.40q…) accepted it", raw)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, secret[3:]) {
			t.Errorf("ValidateBaseURL(%.40q…) error repeats the secret: %s", raw, strings.ReplaceAll(msg, secret, "<secret>"))
		}
	}
}

// An escaped slash at the end of a base URL's path is part of the prefix (a segment that holds
// "/"), not a trailing slash: it is kept.
func TestBaseURLEscapedTrailingSlashIsKept(t *testing.T) {
	t.Parallel()
	srv := newRecordingServer(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusOK, `[]`)
	})
	for _, tt := range []struct{ base, want string }{
		{base: srv.URL + "/a%2F", want: "/a%2F/v1/numbers"},
		{base: srv.URL + "/a%2F/", want: "/a%2F/v1/numbers"},
	} {
		if _, err := newClient(t, tt.base).ListNumbers(context.Background()); err != nil {
			t.Fatal(err)
		}
		seen := srv.requests()
		if got := seen[len(seen)-1].escapedPath; got != tt.want {
			t.Errorf("base URL %q: server saw %q, want %q", tt.base, got, tt.want)
		}
	}
}
