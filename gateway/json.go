package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// writeJSON writes v with the status. Responses are never cached: they carry credentials or
// per-user data.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads one JSON object of at most limit bytes into v. An empty body is allowed
// when optional is true. Every failure is a requestError naming the problem.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64, optional bool) error {
	if optional && r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &requestError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			message: "The body must be JSON, sent with Content-Type: application/json."}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, optional)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(err, optional)
		}
		return badRequest("invalid_json", "The body must hold exactly one JSON object.")
	}
	return nil
}

func jsonError(err error, optional bool) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		mbe    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return &requestError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			message: fmt.Sprintf("The body is larger than %d bytes.", mbe.Limit)}
	case errors.Is(err, io.EOF):
		if optional {
			return nil
		}
		return badRequest("invalid_json", "The body is empty; a JSON object is required.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("invalid_json", "The body is not valid JSON.")
	case errors.As(err, &typ):
		return badRequest("invalid_json", fmt.Sprintf("The field %q must be a %s.", typ.Field, typ.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("invalid_json", fmt.Sprintf("The body has an unknown field %s.", strings.TrimPrefix(err.Error(), "json: unknown field ")))
	default:
		return badRequest("invalid_json", "The body is not a valid JSON object.")
	}
}
