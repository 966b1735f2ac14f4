package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// SocketName is the Unix socket, inside DATA_DIR, on which the serving
// process takes backup requests. It is the owner's alone (0600): whoever
// may use it may read the data directory anyway.
const SocketName = "thidua.sock"

// ErrNotServing is returned by Request when no process serves DATA_DIR's
// socket.
var ErrNotServing = errors.New("no service answers on the data directory's socket")

type request struct {
	Dest string `json:"dest"`
}

type reply struct {
	Manifest *Manifest `json:"manifest,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// Serve answers backup requests on DATA_DIR's socket until the returned
// stop runs. The caller holds DATA_DIR's lock: a socket file left there
// is a dead process's, and is replaced.
func Serve(ctx context.Context, dataDir string, logger *slog.Logger, hold func(context.Context) (release func())) (stop func(), err error) {
	path := filepath.Join(dataDir, SocketName)
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	var one sync.Mutex // one backup at a time
	mux := http.NewServeMux()
	mux.HandleFunc("POST /backup", func(w http.ResponseWriter, r *http.Request) {
		var req request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.Dest == "" {
			writeReply(w, http.StatusBadRequest, reply{Error: "want {\"dest\": DIRECTORY}"})
			return
		}
		one.Lock()
		defer one.Unlock()
		t0 := time.Now()
		m, err := Write(r.Context(), dataDir, req.Dest, hold)
		if err != nil {
			logger.Warn("backup failed", "dest", req.Dest, "err", err)
			writeReply(w, http.StatusInternalServerError, reply{Error: err.Error()})
			return
		}
		logger.Info("backup written", "dest", req.Dest, "bytes", m.Bytes(), "took", time.Since(t0).Round(time.Millisecond))
		writeReply(w, http.StatusOK, reply{Manifest: m})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	return func() {
		_ = srv.Close()
		<-done
		_ = os.Remove(path)
	}, nil
}

func writeReply(w http.ResponseWriter, status int, r reply) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(r)
}

// Request asks the process serving dataDir to write a backup to dest (made
// absolute here: the service may run in another directory). It returns
// ErrNotServing when no process answers on the socket.
func Request(ctx context.Context, dataDir, dest string) (*Manifest, error) {
	dest, err := filepath.Abs(dest)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, SocketName)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
	}}
	body, _ := json.Marshal(request{Dest: dest})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://thidua/backup", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, ErrNotServing
		}
		return nil, fmt.Errorf("backup socket %s: %w", path, err)
	}
	defer res.Body.Close()
	var r reply
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("backup socket: %w", err)
	}
	if r.Error != "" || r.Manifest == nil {
		return nil, errors.New(r.Error)
	}
	return r.Manifest, nil
}
