package pilotstatus

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultBaseURL is the Pilot Status API's base URL.
const DefaultBaseURL = "https://pilotstatus.com.br"

// ValidateBaseURL checks a base URL and returns it parsed, without a trailing slash. It must be
// absolute with a host; the scheme must be https, or http for a loopback host only (127.0.0.0/8,
// ::1, localhost); user information, a query and a fragment are rejected. A path prefix is kept:
// requests then go to <prefix>/v1/....
func ValidateBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("the base URL is empty; use an absolute URL such as " + DefaultBaseURL)
	}
	if strings.TrimSpace(raw) != raw {
		return nil, errors.New("the base URL has leading or trailing spaces; remove them")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The *url.Error text would repeat the whole URL, which may hold a password.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		if strings.HasPrefix(err.Error(), "invalid port ") {
			// It would repeat everything after the host's last colon.
			err = errors.New("the port is not a number")
		}
		return nil, fmt.Errorf("the base URL is not a valid URL (%w); use an absolute URL such as %s", err, DefaultBaseURL)
	}
	if u.User != nil {
		return nil, errors.New("the base URL must not contain user information (user:password@); authenticate with the API key or API key id instead")
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("the base URL must be absolute, with a scheme and a host, such as %s; got %q", DefaultBaseURL, shownURL(raw))
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, fmt.Errorf("the base URL must not contain a query (?...); got %q", shownURL(raw))
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return nil, fmt.Errorf("the base URL must not contain a fragment (#...); got %q", shownURL(raw))
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("the base URL has no host; got %q", shownURL(raw))
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(host) {
			return nil, fmt.Errorf("plain http is only allowed for a loopback host (127.0.0.1, ::1, localhost), got %q; use https", host)
		}
	default:
		return nil, fmt.Errorf("the base URL's scheme must be https (or http for a loopback host), got %q", u.Scheme)
	}
	// Trim trailing slashes from the escaped path, so that an escaped slash (%2F) at
	// the end stays part of the last segment.
	escaped := strings.TrimRight(u.EscapedPath(), "/")
	if u.Path, err = url.PathUnescape(escaped); err != nil {
		return nil, fmt.Errorf("the base URL's path is not valid (%w)", err)
	}
	u.RawPath = escaped
	return u, nil
}

// shownURL is a refused base URL as an error repeats it: without user information, and cut after
// the "?" or "#" that starts a query or fragment, where a pasted credential would be.
func shownURL(raw string) string {
	s := withoutUserInfo(raw)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i+1] + "…"
	}
	return s
}

// withoutUserInfo drops everything up to the last "@" before the path of a URL that
// did not parse as absolute, so that an error never repeats a password.
func withoutUserInfo(raw string) string {
	rest := raw
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	authority := rest
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		return "…@" + rest[i+1:]
	}
	return raw
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
