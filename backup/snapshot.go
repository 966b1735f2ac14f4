package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// SnapshotName is the file, in DATA_DIR, holding the service's read model
// as of its last clean shutdown (repository.SealReadModel).
const SnapshotName = "readmodel.snapshot"

const snapshotMagic = "thidua snapshot 1\n"

// snapshotHeader binds a snapshot to the bytes of the database files it
// was taken of: any write to them after, by anyone, makes it stale.
type snapshotHeader struct {
	Database   string      `json:"database"`
	Files      []fileStamp `json:"files"`
	BodySize   int         `json:"bodySize"`
	BodySHA256 string      `json:"bodySha256"`
}

type fileStamp struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// SaveSnapshot writes body (the read model of database) into dataDir,
// with the checksums of the database's files as they are now. Call it
// with the database closed (FerretDB stopped) and DATA_DIR's lock held.
func SaveSnapshot(dataDir, database string, body []byte) error {
	files, err := stampFiles(dataDir, database)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	h, err := json.Marshal(snapshotHeader{Database: database, Files: files, BodySize: len(body), BodySHA256: hex.EncodeToString(sum[:])})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Grow(len(snapshotMagic) + len(h) + 1 + len(body))
	b.WriteString(snapshotMagic)
	b.Write(h)
	b.WriteByte('\n')
	b.Write(body)
	tmp := filepath.Join(dataDir, SnapshotName+".tmp")
	if err := writeSynced(tmp, b.Bytes()); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, SnapshotName)); err != nil {
		return err
	}
	return syncDir(dataDir)
}

// TakeSnapshot reads and removes dataDir's snapshot, before anything opens
// the database files (DATA_DIR's lock held): a snapshot is used at most
// once, so one can never outlive the start that read it, crash or not. It
// returns the body when the database's files are byte for byte those it
// was taken of, or else why not.
func TakeSnapshot(dataDir, database string) (body []byte, why string) {
	path := filepath.Join(dataDir, SnapshotName)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "no snapshot (the last stop was not clean, or this is the first start)"
	}
	_ = os.Remove(filepath.Join(dataDir, SnapshotName+".tmp"))
	if rerr := os.Remove(path); rerr != nil {
		return nil, fmt.Sprintf("snapshot not removable: %v", rerr)
	}
	if err := syncDir(dataDir); err != nil {
		return nil, fmt.Sprintf("snapshot removal not synced: %v", err)
	}
	if err != nil {
		return nil, fmt.Sprintf("snapshot unreadable: %v", err)
	}
	rest, ok := bytes.CutPrefix(raw, []byte(snapshotMagic))
	if !ok {
		return nil, "snapshot of another version"
	}
	line, body, ok := bytes.Cut(rest, []byte("\n"))
	var h snapshotHeader
	if !ok || json.Unmarshal(line, &h) != nil {
		return nil, "snapshot header unreadable"
	}
	sum := sha256.Sum256(body)
	if len(body) != h.BodySize || hex.EncodeToString(sum[:]) != h.BodySHA256 {
		return nil, "snapshot damaged (checksum)"
	}
	if h.Database != database {
		return nil, fmt.Sprintf("snapshot of database %q, not %q", h.Database, database)
	}
	now, err := stampFiles(dataDir, database)
	if err != nil {
		return nil, fmt.Sprintf("database files: %v", err)
	}
	if !slices.Equal(now, h.Files) {
		return nil, "the database changed after the snapshot"
	}
	return body, ""
}

// stampFiles checksums the database's file and its WAL, if any.
func stampFiles(dataDir, database string) ([]fileStamp, error) {
	var out []fileStamp
	for _, name := range []string{database + ".sqlite", database + ".sqlite-wal"} {
		size, sum, err := checksum(filepath.Join(dataDir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, fileStamp{Name: name, Size: size, SHA256: sum})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no file of database %q", database)
	}
	return out, nil
}
