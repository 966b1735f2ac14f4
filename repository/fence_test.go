package repository

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// opMsg is a wire message of the command cmd (kind-0 body only).
func opMsg(t *testing.T, cmd bson.D) []byte {
	body, err := bson.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	wm := make([]byte, 21, 21+len(body))
	binary.LittleEndian.PutUint32(wm[12:], 2013)
	wm = append(wm, body...)
	binary.LittleEndian.PutUint32(wm, uint32(len(wm)))
	return wm
}

// A send that started in time but is still going at the fence's limit
// (the peer reads nothing: a full socket buffer) is cut there, so the
// message never arrives whole; a shut fence refuses everything but hello.
func TestFenceCutsASendAtTheLimit(t *testing.T) {
	t.Parallel()
	expired := errors.New("lease ran out")
	f := &fence{}
	f.hold(time.Now().Add(200*time.Millisecond), time.Now, func() error { return expired })
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &fencedConn{Conn: a, f: f}
	if err := c.SetWriteDeadline(time.Time{}); err != nil { // the driver's: none
		t.Fatal(err)
	}
	insert := opMsg(t, bson.D{{Key: "insert", Value: "x"}, {Key: "documents", Value: bson.A{bson.D{{Key: "a", Value: 1}}}}})
	t0 := time.Now()
	sent := make(chan error, 1)
	go func() { _, err := c.Write(insert); sent <- err }()
	select {
	case err := <-sent:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("a send blocked past the limit: %v, want cut by the deadline", err)
		}
		t.Logf("cut after %v", time.Since(t0).Round(time.Millisecond))
	case <-time.After(2 * time.Second):
		t.Fatal("a send blocked past the limit was not cut")
	}
	if _, err := c.Write(insert); !errors.Is(err, expired) {
		t.Fatalf("a send after the limit: %v, want the lease's refusal", err)
	}
	go func() { _, _ = b.Read(make([]byte, 1024)) }()
	if _, err := c.Write(opMsg(t, bson.D{{Key: "hello", Value: 1}})); err != nil {
		t.Errorf("a fenced connection refused hello (the driver's heartbeat): %v", err)
	}
	if _, err := c.Write(opMsg(t, bson.D{{Key: "find", Value: "x"}})); !errors.Is(err, expired) {
		t.Errorf("a fenced connection sent a find: %v", err)
	}
}
