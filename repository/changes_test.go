package repository_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thidua/thidua/dbtest"
	"github.com/thidua/thidua/repository"
)

// fakeStream is one opened change stream: its batches, then its error.
type fakeStream struct {
	events []bson.Raw // nil entries: an empty batch (every change filtered out)
	tokens []bson.Raw // the resume token after each batch
	err    error
	i      int
	cur    bson.Raw
	tok    bson.Raw
}

func (f *fakeStream) TryNext(ctx context.Context) bool {
	if f.i >= len(f.events) {
		return false
	}
	f.cur, f.tok = f.events[f.i], f.tokens[f.i]
	f.i++
	return f.cur != nil
}
func (f *fakeStream) Event() bson.Raw       { return f.cur }
func (f *fakeStream) ResumeToken() bson.Raw { return f.tok }
func (f *fakeStream) Err() error {
	if f.i >= len(f.events) {
		return f.err
	}
	return nil
}
func (f *fakeStream) Close(context.Context) error { return nil }

func token(s string) bson.Raw { b, _ := bson.Marshal(bson.D{{Key: "_data", Value: s}}); return b }

func streamEvent(op, tok string) bson.Raw {
	b, _ := bson.Marshal(bson.D{{Key: "_id", Value: token(tok)}, {Key: "operationType", Value: op}})
	return b
}

// opens records how each stream was opened and hands out the scripted ones
// (an error where the script has one); past the script it cancels.
type opens struct {
	mu     sync.Mutex
	script []any // *fakeStream or error
	got    []options.ChangeStreamOptions
	cancel context.CancelFunc
}

func (o *opens) open(_ context.Context, _ mongo.Pipeline, b *options.ChangeStreamOptionsBuilder) (repository.Stream, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var set options.ChangeStreamOptions
	for _, f := range b.Opts {
		_ = f(&set)
	}
	o.got = append(o.got, set)
	if len(o.script) == 0 {
		o.cancel()
		return nil, context.Canceled
	}
	next := o.script[0]
	o.script = o.script[1:]
	if err, ok := next.(error); ok {
		return nil, err
	}
	return next.(*fakeStream), nil
}

func resumeOf(o options.ChangeStreamOptions) string {
	var t any = o.ResumeAfter
	if o.StartAfter != nil {
		t = o.StartAfter
	}
	if r, ok := t.(bson.Raw); ok && r != nil {
		return r.Lookup("_data").StringValue()
	}
	return ""
}

// The relay's fault points: an error to open, a stream whose batches are
// all filtered out then fails, an invalidation, a lost history. Every
// error is reported; it resumes from the post-batch token, after an
// invalidation with startAfter, and after a lost history from now (not
// from the token the server no longer holds, once a second forever).
func TestWatchChangesFaultPoints(t *testing.T) {
	netErr := errors.New("connection reset")
	lost := mongo.CommandError{Code: 286, Name: "ChangeStreamHistoryLost", Message: "resume point no longer in the oplog"}
	o := &opens{script: []any{
		netErr,
		&fakeStream{events: []bson.Raw{nil, nil}, tokens: []bson.Raw{token("pbrt-1"), token("pbrt-2")}, err: netErr},
		&fakeStream{events: []bson.Raw{streamEvent("invalidate", "inv-1")}, tokens: []bson.Raw{token("inv-1")}},
		lost,
		&fakeStream{err: netErr},
	}}
	ctx, cancel := context.WithCancel(t.Context())
	o.cancel = cancel
	s := dbtest.Store(t, repository.WithChangeStreams(o.open))
	var failed []error
	opened := 0
	err := s.WatchChanges(ctx, func(repository.Change) {}, repository.WatchOptions{
		Backoff: time.Millisecond, Opened: func() { opened++ }, Failed: func(err error) { failed = append(failed, err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "", "pbrt-2", "inv-1", "", ""}
	o.got = o.got[:min(len(o.got), len(want))] // the last open ends the test
	if len(o.got) != len(want) {
		t.Fatalf("%d opens, want %d", len(o.got), len(want))
	}
	for i, w := range want {
		if got := resumeOf(o.got[i]); got != w {
			t.Errorf("open %d resumed from %q, want %q", i, got, w)
		}
	}
	if o.got[3].StartAfter == nil {
		t.Error("after an invalidation the stream did not open with startAfter")
	}
	if len(failed) < 3 || !errors.Is(failed[0], netErr) {
		t.Errorf("errors reported: %v, want the open's, the stream's and the lost history", failed)
	}
	if opened != 3 {
		t.Errorf("opened %d times, want 3", opened)
	}
}

// After Attempts failed opens in a row the relay gives up with the error:
// the caller falls back to each process publishing its own writes.
func TestWatchChangesGivesUp(t *testing.T) {
	down := errors.New("no primary")
	o := &opens{script: []any{down, down, down}, cancel: func() {}}
	s := dbtest.Store(t, repository.WithChangeStreams(o.open))
	err := s.WatchChanges(t.Context(), func(repository.Change) {}, repository.WatchOptions{Attempts: 3, Backoff: time.Millisecond})
	if !errors.Is(err, down) {
		t.Errorf("WatchChanges: %v, want the open's error", err)
	}
}
