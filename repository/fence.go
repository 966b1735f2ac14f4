package repository

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// The fence: every byte the Store's client sends to the database goes
// through fencedConn.Write (OpenClient installs the dialer that makes every
// connection one, under TLS if any), and fencedConn.Write asks the Store's
// fence first. So every write of every path — record writes, journal steps,
// GridFS chunks, migrations, audit entries, index builds, and any added
// later — is checked in this one place, immediately before it is handed to
// the kernel. While this process holds the writer lease the fence lets a
// send start only before the lease's deadline minus its margin, by the
// lease's monotonic clock, and cuts a send still in progress at that point
// (the connection's write deadline); once that point has passed it refuses
// every send (reads too: the process is about to exit) and tells the lease,
// whose Keep then returns a *LeaseLostError (the service exits). Lease.go's
// header says what this bounds and what it cannot.
//
// The one exception is a plain (not compressed, not TLS) hello: the
// driver's handshake and heartbeat, which write nothing. Refusing them too
// would make the driver mark the server unknown, and every later operation
// would wait out server selection (5 s) instead of failing at once with the
// lease's error. Under TLS the fence cannot read the command, refuses it
// too, and operations of a fenced store fail after that wait.
type fence struct {
	mu sync.Mutex
	// state: fenceOpen (no lease: MongoDB, tests, before acquiring),
	// fenceHeld (sends allowed until until), fenceShut (none).
	state fenceState
	until time.Time // fenceHeld: on now's clock
	now   func() time.Time
	// shut is why sends are refused (fenceShut).
	shut error
	// expired runs once, at the first send refused because until has
	// passed, and returns the refusal.
	expired func() error
}

type fenceState int

const (
	fenceOpen fenceState = iota
	fenceHeld
	fenceShut
)

// open lets every send through (no lease is held).
func (f *fence) open() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state, f.expired = fenceOpen, nil
}

// hold lets sends start until until (on now's clock); at the first send
// refused after it, expired runs and returns the refusal.
func (f *fence) hold(until time.Time, now func() time.Time, expired func() error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state, f.until, f.now, f.expired = fenceHeld, until, now, expired
}

// close refuses every send from now on with err.
func (f *fence) close(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state, f.shut, f.expired = fenceShut, err, nil
}

// admit decides one send: an error refuses it; otherwise left is how long
// it may take (0: no limit).
func (f *fence) admit() (left time.Duration, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch f.state {
	case fenceOpen:
		return 0, nil
	case fenceHeld:
		if left := f.until.Sub(f.now()); left > 0 {
			return left, nil
		}
		f.state, f.shut, f.expired = fenceShut, f.expired(), nil
	}
	return 0, f.shut
}

// fenceDialer makes every connection of the Store's client a fencedConn.
type fenceDialer struct {
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	f    *fence
}

func (d fenceDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &fencedConn{Conn: c, f: d.f}, nil
}

// fencedConn asks the fence before every Write and limits the write's
// deadline to what the fence allows.
type fencedConn struct {
	net.Conn
	f  *fence
	mu sync.Mutex
	// want is the write deadline the driver set.
	want time.Time
}

func (c *fencedConn) Write(b []byte) (int, error) {
	left, err := c.f.admit()
	if err != nil && !isHello(b) {
		return 0, err
	}
	c.mu.Lock()
	deadline := c.want
	c.mu.Unlock()
	if end := time.Now().Add(left); left > 0 && (deadline.IsZero() || end.Before(deadline)) {
		deadline = end
	}
	if err := c.Conn.SetWriteDeadline(deadline); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

func (c *fencedConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.want = t
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

func (c *fencedConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.want = t
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

// isHello reports whether wm is exactly one uncompressed OP_MSG whose
// command is hello (or its old names).
func isHello(wm []byte) bool {
	const opMsg = 2013
	// header (length, requestID, responseTo, opCode), flagBits, then the
	// body section: kind 0 and a document whose first key is the command.
	if len(wm) < 16+4+1+4+1 || int(binary.LittleEndian.Uint32(wm)) != len(wm) ||
		binary.LittleEndian.Uint32(wm[12:]) != opMsg || wm[20] != 0 {
		return false
	}
	key := wm[16+4+1+4+1:]
	end := bytes.IndexByte(key, 0)
	if end < 0 {
		return false
	}
	switch string(key[:end]) {
	case "hello", "isMaster", "ismaster":
		return true
	}
	return false
}
