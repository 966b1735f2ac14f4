package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"syscall"

	"github.com/coder/websocket"

	"github.com/thidua/thidua/domain"
)

// WriteError returns the writer of a failed non-GraphQL request (a file
// download): the GraphQL error shape, {"errors":[{"message","extensions":
// {"code","field"}}]}, with the status the error table gives its code;
// anything unexpected is logged once and shown as "internal error".
func WriteError(logger *slog.Logger) func(w http.ResponseWriter, r *http.Request, err error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		code := domain.ErrorCode(err)
		msg := "internal error"
		ext := map[string]string{"code": string(code)}
		var de *domain.Error
		switch {
		case ClientGone(err):
			logger.DebugContext(r.Context(), "client gone", "err", err, "path", r.URL.Path,
				"request_id", domain.RequestID(r.Context()))
		case code == domain.CodeInternal:
			logger.ErrorContext(r.Context(), "request failed", "err", err, "path", r.URL.Path,
				"request_id", domain.RequestID(r.Context()))
		case errors.As(err, &de):
			msg = de.Message
			if de.Field != "" {
				ext["field"] = de.Field
			}
		}
		w.Header().Del("Content-Disposition")
		writeJSON(w, code, msg, ext)
	}
}

// Refuse answers a request refused before it reaches GraphQL (or a
// WebSocket upgrade), with the status the error table gives its code.
func Refuse(w http.ResponseWriter, code domain.Code, msg string) {
	writeJSON(w, code, msg, map[string]string{"code": string(code)})
}

// writeJSON writes the GraphQL error shape, {"errors":[{"message",
// "extensions"}]}, every error writer's body.
func writeJSON(w http.ResponseWriter, code domain.Code, msg string, ext map[string]string) {
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": ext}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code.HTTPStatus())
	_, _ = w.Write(body)
}

// ClientGone reports whether err says only that the client went away (it
// closed the connection or cancelled the request, or its WebSocket was
// closed): nothing the service should be alerted to.
func ClientGone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) ||
		websocket.CloseStatus(err) != -1
}
