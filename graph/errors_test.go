package graph

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// A request its client cancelled, or whose WebSocket closed, is logged
// below ERROR: under load such lines were 148 of 150 ERRORs. Anything
// else unexpected is still an ERROR.
func TestClientGoneIsNotAnError(t *testing.T) {
	var log bytes.Buffer
	present := presentError(slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})), true)
	for _, err := range []error{
		fmt.Errorf("find: %w", context.Canceled),
		fmt.Errorf("read: %w", websocket.CloseError{Code: websocket.StatusGoingAway}),
	} {
		if got := present(context.Background(), err); got.Extensions["code"] != "SERVICE_UNAVAILABLE" {
			t.Errorf("%v: %+v", err, got)
		}
	}
	if got := strings.Count(log.String(), "level=DEBUG"); got != 2 || strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("%d DEBUG lines, want 2, and no ERROR:\n%s", got, log.String())
	}
	log.Reset()
	present(context.Background(), fmt.Errorf("disk on fire"))
	if !strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("an internal error is not logged at ERROR:\n%s", log.String())
	}
}
