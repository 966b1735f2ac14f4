package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/thidua/thidua/service"
)

// A detached command outlives its request's cancellation, and a stopping
// process waits for it (Drain) before it closes the database.
func TestDetachedCommandsAreDrained(t *testing.T) {
	s := &service.Service{CommandTimeout: time.Minute}
	req, cancelReq := context.WithCancel(context.Background())
	ctx, done := s.Detach(req)
	cancelReq()
	if ctx.Err() != nil {
		t.Fatalf("the request's cancellation reached the command: %v", ctx.Err())
	}
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) < 50*time.Second {
		t.Errorf("the command's deadline: %v %v, want its own (a minute)", dl, ok)
	}
	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if n := s.Drain(short); n != 1 {
		t.Errorf("Drain with a command running: %d still running, want 1", n)
	}
	drained := make(chan int)
	go func() { drained <- s.Drain(context.Background()) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-drained:
		t.Fatal("Drain returned while the command ran")
	default:
	}
	done()
	done() // twice: counted once
	select {
	case n := <-drained:
		if n != 0 {
			t.Errorf("Drain after the command ended: %d", n)
		}
	case <-time.After(time.Second):
		t.Fatal("Drain did not return once the command ended")
	}
}
