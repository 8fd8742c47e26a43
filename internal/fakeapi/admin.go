package fakeapi

import (
	"net/http"
	"net/url"
	"strings"
)

// serveAdmin serves the unauthenticated /_admin/ endpoints used by the command-line server:
//
//	GET    /_admin/calls              {"<endpoint>": n, ..., "total": n, "rate_limited": n, "regenerated": n}
//	POST   /_admin/reset-calls        204
//	POST   /_admin/rotate?number=ID   204 (out-of-band rotation; the new key is not shown)
//	DELETE /_admin/numbers/ID         204
//
// Admin requests are neither counted, rate limited nor faulted.
func (a *API) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	switch path {
	case "/_admin/calls":
		if r.Method != http.MethodGet {
			methodNotAllowed(http.MethodGet).write(w)
			return
		}
		response{status: http.StatusOK, body: a.callsReport()}.write(w)
		return
	case "/_admin/reset-calls":
		if r.Method != http.MethodPost {
			methodNotAllowed(http.MethodPost).write(w)
			return
		}
		a.ResetCalls()
		w.WriteHeader(http.StatusNoContent)
		return
	case "/_admin/rotate":
		if r.Method != http.MethodPost {
			methodNotAllowed(http.MethodPost).write(w)
			return
		}
		id := r.URL.Query().Get("number")
		if id == "" {
			errValidation.write(w)
			return
		}
		if _, ok := a.RotateOutOfBand(id); !ok {
			errNumberNotFound.write(w)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if rest, ok := strings.CutPrefix(path, "/_admin/numbers/"); ok && rest != "" && !strings.Contains(rest, "/") {
		if r.Method != http.MethodDelete {
			methodNotAllowed(http.MethodDelete).write(w)
			return
		}
		id, err := url.PathUnescape(rest)
		if err != nil || !a.RemoveNumber(id) {
			errNumberNotFound.write(w)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	errNotFound.write(w)
}
