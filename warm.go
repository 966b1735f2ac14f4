package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/thidua/thidua/backup"
	"github.com/thidua/thidua/repository"
)

// warmStart carries the read model from one clean stop of the embedded
// service to its next start (docs/operations.md, Warm start). At the stop, once every
// request is answered, the model is sealed; after FerretDB has closed the
// files, and only if no write changed the model since the seal, it is
// written beside them with the files' checksums. At the next start, with
// DATA_DIR's lock held and before anything opens the files, it is read
// and removed (so a crash later can never find it again), and kept only
// if the files are byte for byte what they were; then only if the start
// writes nothing the model holds (founding data, migrations, interrupted
// decisions) is it used instead of reading every document.
type warmStart struct {
	image  []byte // read at start, until used or discarded
	why    string // why there is none
	sealed *repository.ReadModelImage
}

func (w *warmStart) take(dir, database string) {
	w.image, w.why = backup.TakeSnapshot(dir, database)
}

func (w *warmStart) discard(why string) {
	if w.image != nil {
		w.image, w.why = nil, why
	}
}

// load loads the store's read model, from the image when there is one,
// and says where from.
func (w *warmStart) load(ctx context.Context, store *repository.Store) (string, error) {
	if w.image != nil {
		err := store.WarmFromImage(ctx, w.image)
		w.image = nil
		if err == nil {
			return "snapshot of the last clean stop", nil
		}
		w.why = err.Error()
	}
	if w.why == "" {
		w.why = "no snapshot"
	}
	return "database (" + w.why + ")", store.Warm(ctx)
}

func (w *warmStart) seal(store *repository.Store, logger *slog.Logger) {
	img, err := store.SealReadModel()
	if err != nil {
		logger.Warn("read model not kept for the next start", "err", err)
	}
	w.sealed = img
}

// save runs after the database files are closed.
func (w *warmStart) save(dir, database string, logger *slog.Logger) {
	if w.sealed == nil {
		return
	}
	if !w.sealed.Current() {
		logger.Info("read model not kept for the next start: written after the seal")
		return
	}
	t0 := time.Now()
	if err := backup.SaveSnapshot(dir, database, w.sealed.Bytes()); err != nil {
		logger.Warn("read model not kept for the next start", "err", err)
		return
	}
	logger.Info("read model kept for the next start", "bytes", len(w.sealed.Bytes()), "took", time.Since(t0).Round(time.Millisecond))
}
