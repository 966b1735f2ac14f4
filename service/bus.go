package service

import (
	"context"
	"errors"
	"sync"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// ErrSlowSubscriber ends a subscription whose buffer was full when an event
// came: the bus drops it rather than make the writer wait.
var ErrSlowSubscriber = errors.New("subscriber too slow: events were dropped")

// ErrBusClosed ends the subscriptions of a closed bus.
var ErrBusClosed = errors.New("the event bus is closed")

// DefaultBusBuffer is how many events a subscriber may fall behind by.
const DefaultBusBuffer = 64

// Bus is the in-process Publisher the subscriptions read: each subscriber
// registers with its principal and a filter, and receives, in order, the
// events of the kind it asked for that match its filter and that its
// principal may see at the moment of the event. Publish never blocks: a
// subscriber whose buffer is full is dropped (its channel closes, Err says
// why).
type Bus struct {
	buffer int

	mu     sync.RWMutex
	subs   map[*Subscription]struct{}
	closed bool
}

// NewBus returns a bus giving each subscriber a buffer of buffer events
// (DefaultBusBuffer when buffer <= 0).
func NewBus(buffer int) *Bus {
	if buffer <= 0 {
		buffer = DefaultBusBuffer
	}
	return &Bus{buffer: buffer, subs: map[*Subscription]struct{}{}}
}

var _ Publisher = (*Bus)(nil)

// Subscription is one subscriber's registration.
type Subscription struct {
	bus    *Bus
	kind   string
	read   domain.Access
	filter func(Event) bool

	mu     sync.Mutex
	ch     chan Event
	closed bool
	err    error
}

// Subscribe registers a subscriber for the events of kind (award, movement,
// periodReview, provinceReport) matching filter (nil: all). p is the
// subscriber (nil: anonymous); what it may see is fixed now, from its
// read grants.
func (b *Bus) Subscribe(p *auth.Principal, kind string, filter func(Event) bool) *Subscription {
	s := &Subscription{bus: b, kind: kind, read: auth.Grants(p, auth.ReadUnpublished), filter: filter,
		ch: make(chan Event, b.buffer)}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		s.end(ErrBusClosed)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// Events is the subscriber's stream; it is closed when the subscription
// ends (Close, a dropped slow subscriber, the bus closed).
func (s *Subscription) Events() <-chan Event { return s.ch }

// Err says why the stream ended: nil after Close, ErrSlowSubscriber or
// ErrBusClosed otherwise.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	delete(s.bus.subs, s)
	s.bus.mu.Unlock()
	s.end(nil)
}

// end closes the stream once, recording why.
func (s *Subscription) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed, s.err = true, err
		close(s.ch)
	}
}

// Sees reports whether the subscriber may see the event's record as it is
// at the event: a published record, or one its grants cover. A deletion
// carries the record before it, so a record it could not see is not
// announced gone either.
func (s *Subscription) Sees(e Event) bool { return s.read.Sees(e.Published, e.Owner) }

// offer delivers e without waiting; false when the buffer was full and the
// subscriber was dropped.
func (s *Subscription) offer(e Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return true
	}
	select {
	case s.ch <- e:
		return true
	default:
		s.closed, s.err = true, ErrSlowSubscriber
		close(s.ch)
		return false
	}
}

// Publish delivers e to every subscriber that asked for it and may see it.
// It never waits for a subscriber.
func (b *Bus) Publish(_ context.Context, e Event) {
	var slow []*Subscription
	b.mu.RLock()
	for s := range b.subs {
		if s.kind != e.Kind || !s.Sees(e) || (s.filter != nil && !s.filter(e)) {
			continue
		}
		if !s.offer(e) {
			slow = append(slow, s)
		}
	}
	b.mu.RUnlock()
	if len(slow) > 0 {
		b.mu.Lock()
		for _, s := range slow {
			delete(b.subs, s)
		}
		b.mu.Unlock()
	}
}

// Subscribers is how many subscriptions are registered.
func (b *Bus) Subscribers() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs)
}

// Close ends every subscription; later ones end at once.
func (b *Bus) Close() {
	b.mu.Lock()
	subs := b.subs
	b.subs, b.closed = map[*Subscription]struct{}{}, true
	b.mu.Unlock()
	for s := range subs {
		s.end(ErrBusClosed)
	}
}
