package repository

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thidua/thidua/domain"
)

// A warm start: the read model (readmodel.go) written out at a clean
// shutdown, read back at the next start instead of decoding every document
// through the server. The image holds each record as the document it is
// stored as (toDoc, BSON), and is read back through the same decoding as a
// load from the database (toDomain), so it answers what a load would. It
// says nothing about whether it is current: the caller keeps it only while
// nothing else can have written (package backup: the database files'
// checksums, the image removed before the next start writes anything).

// imageMagic starts an image; a change of its layout changes it.
const imageMagic = "thidua read model image 2\n"

// ReadModelImage is the read model as of a moment, encoded.
type ReadModelImage struct {
	rm   *readModel
	gen  uint64
	data []byte
}

// SealReadModel encodes the read model, or returns nil where there is
// none, it is not loaded, or records whose writes had an unknown outcome
// are still being read back (then it is not known to be what the database
// holds).
func (s *Store) SealReadModel() (*ReadModelImage, error) {
	rm := s.rm
	if rm == nil {
		return nil, nil
	}
	rm.mu.RLock()
	defer rm.mu.RUnlock()
	if !rm.loaded || len(rm.pending) > 0 || rm.retrying {
		return nil, nil
	}
	var b bytes.Buffer
	b.WriteString(imageMagic)
	err := errors.Join(
		encodeKind(&b, awards, rm.awards, func(r *awardRow) *domain.Award { return &r.rec }),
		encodeKind(&b, movements, rm.movements, func(r *movementRow) *domain.Movement { return &r.rec }),
		encodeKind(&b, reviews, rm.reviews, func(r *reviewRow) *domain.PeriodReview { return &r.rec }),
		encodeKind(&b, dossiers, rm.dossiers, func(r *dossierRow) *domain.Dossier { return &r.rec }),
		encodeKind(&b, honorees, rm.honorees, func(r *honoreeRow) *domain.Honoree { return &r.rec }),
		encodeKind(&b, decisions, rm.decisions, func(r *decisionRow) *domain.DecisionRecord { return &r.rec }),
		encodeKind(&b, units, rm.units, func(r *unitRow) *domain.Unit { return &r.rec }),
		encodeKind(&b, registrations, rm.registrations, func(r *registrationRow) *domain.EmulationRegistration { return &r.rec }),
		encodeKind(&b, initiatives, rm.initiatives, func(r *initiativeRow) *domain.Initiative { return &r.rec }))
	if err != nil {
		return nil, fmt.Errorf("read model image: %w", err)
	}
	return &ReadModelImage{rm: rm, gen: rm.gen, data: b.Bytes()}, nil
}

// Bytes is the encoded image.
func (img *ReadModelImage) Bytes() []byte { return img.data }

// Current reports whether the read model is still as it was sealed: no
// write has changed it since, and none is being read back.
func (img *ReadModelImage) Current() bool {
	img.rm.mu.RLock()
	defer img.rm.mu.RUnlock()
	return img.rm.gen == img.gen && len(img.rm.pending) == 0 && !img.rm.retrying
}

func encodeKind[D, T, R, K any](b *bytes.Buffer, k kind[D, T], ix *index[R, K], rec func(*R) *T) error {
	b.Write(binary.AppendUvarint(nil, uint64(len(ix.rows))))
	for _, r := range ix.rows {
		d, err := k.toDoc(rec(r))
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		raw, err := bson.Marshal(d)
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		b.Write(raw)
	}
	return nil
}

// WarmFromImage loads the read model from an image SealReadModel wrote
// instead of from the database. The caller vouches that the database
// holds what it held when the image was sealed.
func (s *Store) WarmFromImage(ctx context.Context, data []byte) error {
	rm := s.rm
	if rm == nil {
		return nil
	}
	if !bytes.HasPrefix(data, []byte(imageMagic)) {
		return errors.New("read model image: not an image of this version")
	}
	rest := data[len(imageMagic):]
	var as []*awardRow
	var ms []*movementRow
	var rs []*reviewRow
	var ds []*dossierRow
	var hs []*honoreeRow
	var cs []*decisionRow
	var us []*unitRow
	var gs []*registrationRow
	var xs []*initiativeRow
	// Awards (the most by far) on one core, the rest on the other.
	awardsDone := make(chan error, 1)
	var err error
	var awardBytes []byte
	if awardBytes, rest, err = splitKind(rest); err != nil {
		return fmt.Errorf("read model image: %w", err)
	}
	go func() {
		var err error
		as, err = decodeParallel(ctx, awardBytes, awards, newAwardRow)
		awardsDone <- err
	}()
	if rest, err = decodeKind(ctx, rest, movements, func(m *domain.Movement) { ms = append(ms, newMovementRow(m)) }); err == nil {
		if rest, err = decodeKind(ctx, rest, reviews, func(r *domain.PeriodReview) { rs = append(rs, &reviewRow{rec: *r}) }); err == nil {
			if rest, err = decodeKind(ctx, rest, dossiers, func(d *domain.Dossier) { ds = append(ds, newDossierRow(d)) }); err == nil {
				if rest, err = decodeKind(ctx, rest, honorees, func(h *domain.Honoree) { hs = append(hs, newHonoreeRow(h)) }); err == nil {
					rest, err = decodeKind(ctx, rest, decisions, func(d *domain.DecisionRecord) { cs = append(cs, &decisionRow{rec: *d}) })
				}
				if err == nil {
					rest, err = decodeGrassroots(ctx, rest, &us, &gs, &xs)
				}
			}
		}
	}
	if aerr := <-awardsDone; err == nil {
		err = aerr
	}
	if err == nil && len(rest) != 0 {
		err = errors.New("trailing bytes")
	}
	if err != nil {
		return fmt.Errorf("read model image: %w", err)
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if rm.loaded {
		return nil
	}
	rm.awards.load(as)
	rm.movements.load(ms)
	rm.reviews.load(rs)
	rm.dossiers.load(ds)
	rm.honorees.load(hs)
	rm.decisions.load(cs)
	rm.loadGrassrootsRows(us, gs, xs)
	rm.loaded = true
	return nil
}

// splitKind returns the bytes of the next kind's documents (count
// included) and what follows them.
func splitKind(data []byte) (kindBytes, rest []byte, err error) {
	n, w := binary.Uvarint(data)
	if w <= 0 {
		return nil, nil, errors.New("bad count")
	}
	off := w
	for i := uint64(0); i < n; i++ {
		if len(data)-off < 4 {
			return nil, nil, errors.New("truncated")
		}
		size := int(binary.LittleEndian.Uint32(data[off:]))
		if size < 5 || size > len(data)-off {
			return nil, nil, errors.New("truncated")
		}
		off += size
	}
	return data[:off], data[off:], nil
}

func decodeKind[D, T any](ctx context.Context, data []byte, k kind[D, T], put func(*T)) ([]byte, error) {
	mine, rest, err := splitKind(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.name, err)
	}
	_, w := binary.Uvarint(mine)
	for off, i := w, 0; off < len(mine); i++ {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		size := int(binary.LittleEndian.Uint32(mine[off:]))
		rec, err := k.decode(bson.Raw(mine[off : off+size]))
		if err != nil {
			return nil, err
		}
		put(rec)
		off += size
	}
	return rest, nil
}

// decodeParallel decodes one kind's documents (splitKind's bytes) on every
// core, into rows in the image's order.
func decodeParallel[D, T, R any](ctx context.Context, data []byte, k kind[D, T], row func(*T) *R) ([]*R, error) {
	n, w := binary.Uvarint(data)
	offs := make([]int, 0, n+1)
	for off := w; off < len(data); off += int(binary.LittleEndian.Uint32(data[off:])) {
		offs = append(offs, off)
	}
	offs = append(offs, len(data))
	out := make([]*R, len(offs)-1)
	parts := runtime.GOMAXPROCS(0)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		lo, hi := p*len(out)/parts, (p+1)*len(out)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if (i-lo)%4096 == 0 && ctx.Err() != nil {
					errs[p] = ctx.Err()
					return
				}
				rec, err := k.decode(bson.Raw(data[offs[i]:offs[i+1]]))
				if err != nil {
					errs[p] = err
					return
				}
				out[i] = row(rec)
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
