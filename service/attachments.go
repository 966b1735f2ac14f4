package service

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// FileStore keeps attachments (the repository, in GridFS).
type FileStore interface {
	PutFileAt(ctx context.Context, a *domain.Attachment, r io.ReaderAt, size int64) error
	OpenFile(ctx context.Context, id string, allow func(*domain.Attachment) bool) (*domain.Attachment, io.ReadCloser, error)
	FilesOf(ctx context.Context, parentKind string, parentIDs []string) (map[string][]domain.Attachment, error)
	DeleteFile(ctx context.Context, id string) error
	DeleteFilesOf(ctx context.Context, parentKind, parentID string) (int, error)
}

// Upload is a file a client sends: Open gives its name, and its bytes as
// a reader at any offset with their length, reading it from the request if
// it is not read yet (a command opens it once the caller may store it).
type Upload interface {
	Open() (name string, r io.ReaderAt, size int64, err error)
}

// FileBytes is an Upload of a file whole in memory.
type FileBytes struct {
	Name string
	Data []byte
}

// Open returns the file.
func (f FileBytes) Open() (string, io.ReaderAt, int64, error) {
	return f.Name, bytes.NewReader(f.Data), int64(len(f.Data)), nil
}

func (s *Service) files() (FileStore, error) {
	f, ok := s.Store.(FileStore)
	if !ok {
		return nil, fmt.Errorf("the store keeps no files")
	}
	return f, nil
}

func (s *Service) fileLimits() domain.FileLimits {
	if s.FileLimits != nil {
		return *s.FileLimits
	}
	return domain.DefaultFileLimits()
}

// seesFile says whether the caller may read an attachment: a decision's are
// public, as decisions are; a dossier's follow the dossier (its owner's
// viewers, and "*"'s, who see every dossier).
func seesFile(read domain.Access, a *domain.Attachment) bool {
	return a.ParentKind == domain.ParentDecision || read.Allows(a.Owner)
}

// Attachments lists the attachments of records of one kind ("dossier" or
// "decision") the caller may see, by record id.
func (s *Service) Attachments(ctx context.Context, kind string, ids []string) (map[string][]domain.Attachment, error) {
	fs, err := s.files()
	if err != nil {
		return nil, err
	}
	all, err := fs.FilesOf(ctx, kind, ids)
	if err != nil {
		return nil, err
	}
	read := readAccess(ctx)
	out := make(map[string][]domain.Attachment, len(all))
	for id, list := range all {
		for _, a := range list {
			if seesFile(read, &a) {
				out[id] = append(out[id], a)
			}
		}
	}
	return out, nil
}

// OpenFile opens an attachment the caller may read; NOT_FOUND otherwise.
func (s *Service) OpenFile(ctx context.Context, id string) (*domain.Attachment, io.ReadCloser, error) {
	fs, err := s.files()
	if err != nil {
		return nil, nil, err
	}
	read := readAccess(ctx)
	return fs.OpenFile(ctx, id, func(a *domain.Attachment) bool { return seesFile(read, a) })
}

// AttachFile stores a file on a dossier (policy: editor of its owner, while
// it is a draft or returned) or a decision (policy: decider of its level),
// after checking its name, size and content (domain.CheckFileAt). The
// upload is opened (read from the request) only once the caller may
// attach to the record.
func (s *Service) AttachFile(ctx context.Context, recordID string, up Upload) (*domain.Attachment, error) {
	p := caller(ctx)
	if p == nil {
		return nil, auth.Authorize(p, auth.AttachToDossier)
	}
	fs, err := s.files()
	if err != nil {
		return nil, err
	}
	ds, err := s.dossiers()
	if err != nil {
		return nil, err
	}
	a := &domain.Attachment{UploadedBy: subject(ctx)}
	d, err := ds.Dossier(ctx, recordID, readAccess(ctx))
	switch {
	case err == nil:
		if err := auth.Authorize(p, auth.AttachToDossier, d.Owner); err != nil {
			return nil, err
		}
		if d.Status != domain.DossierDraft && d.Status != domain.DossierReturned {
			return nil, domain.Invalid("recordId", "files are attached to a dossier while it is a draft or returned; this one is %s", d.Status)
		}
		a.ParentKind, a.ParentID, a.Owner = domain.ParentDossier, d.ID, d.Owner
	case domain.ErrorCode(err) == domain.CodeNotFound:
		dec, err := ds.Decision(ctx, recordID, readAccess(ctx))
		if err != nil {
			return nil, err
		}
		if err := auth.Authorize(p, auth.AttachToDecision, dec.Owner); err != nil {
			return nil, err
		}
		a.ParentKind, a.ParentID, a.Owner = domain.ParentDecision, dec.ID, dec.Owner
	default:
		return nil, err
	}
	name, body, size, err := up.Open()
	if err != nil {
		return nil, err
	}
	a.Name = domain.CleanFileName(name)
	if a.ContentType, err = domain.CheckFileAt(s.fileLimits(), "file", a.Name, body, size); err != nil {
		return nil, err
	}
	if err := fs.PutFileAt(ctx, a, body, size); err != nil {
		return nil, err
	}
	if a.ParentKind == domain.ParentDossier {
		// Submitted meanwhile? Then the file came too late: take it back.
		// (Submitted after this read, the file was attached before.)
		guarded, err := s.keepDossierOpen(ctx, a.ParentID) // a transaction's re-read would see its first snapshot
		if !guarded {
			var now *domain.Dossier
			now, err = ds.Dossier(ctx, a.ParentID, domain.Access{All: true})
			if err == nil && now.Status != domain.DossierDraft && now.Status != domain.DossierReturned {
				err = domain.Conflict("dossier %s was %s while the file was uploaded; nothing was attached", now.ID, now.Status)
			}
		}
		if err != nil {
			if derr := fs.DeleteFile(context.WithoutCancel(ctx), a.ID); derr != nil {
				return nil, fmt.Errorf("%w (and the file %s could not be removed: %v)", err, a.ID, derr)
			}
			return nil, err
		}
	}
	province := a.Owner
	if province == domain.ScopeAll {
		province = ""
	}
	recordChange(ctx, a.ID, province, nil, a, nil, nil)
	return a, nil
}

// UploadLimit is the largest attachment accepted, in bytes.
func (s *Service) UploadLimit() int64 { return s.fileLimits().MaxBytes }
