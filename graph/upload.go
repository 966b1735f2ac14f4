package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/thidua/thidua/domain"
	"github.com/thidua/thidua/service"
)

// multipartUpload is the GraphQL multipart request transport (file
// uploads): the operations and map parts, which come first, are read and
// the operation runs before any file is read. A file is read from the
// request only when its resolver opens it (service.Upload), which a
// command does once the caller may store it: a refused upload is answered
// without its bytes being read. A file read is written to a temporary
// file (removed after the response), never held in memory.
//
// Every refusal of the request itself has an extensions.code and its HTTP
// status: a body that is not a multipart form or is cut short
// (GRAPHQL_PARSE_FAILED, 400), operations or map missing or wrong
// (BAD_USER_INPUT in "operations" or "map", 400; operations that are not
// UTF-8 as a JSON body that is not), a body over the limit
// (PAYLOAD_TOO_LARGE, 413).
type multipartUpload struct {
	// maxBody bounds the whole request (the file, operations and map).
	maxBody int64
	// maxField bounds the operations and map parts each.
	maxField int64
}

var _ graphql.Transport = multipartUpload{}

func (multipartUpload) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

func (t multipartUpload) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	w.Header().Set("Content-Type", "application/json")
	start := graphql.Now()
	if t.maxBody > 0 {
		if r.ContentLength > t.maxBody {
			refuseUpload(w, tooLarge(t.maxBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, t.maxBody)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		refuseUpload(w, &domain.Error{Code: domain.CodeParse, Message: "the body is not a multipart form: " + err.Error()})
		return
	}
	body := &multipartBody{mr: mr, maxBody: t.maxBody, files: map[string]*spooled{}}
	defer body.close()
	if r.ProtoMajor == 1 {
		// Whatever is answered, the rest of a body not read (a refused
		// upload's file) is not read either: net/http would otherwise
		// read up to 256 KiB of it before it sends the answer, then close.
		w = &closeUnread{ResponseWriter: w, body: body}
	}
	params, err := body.operations(t.maxField)
	if err != nil {
		refuseUpload(w, err)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	rc, gerr := exec.CreateOperationContext(ctx, params)
	if gerr != nil {
		if errcode.GetErrorKind(gerr) == errcode.KindProtocol {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), gerr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	body.finish()
	if err := body.failure(); err != nil && isNull(resp.Data) {
		// The request itself was at fault (cut short, over the limit):
		// answered as such, not as the field's failure.
		refuseUpload(w, err)
		return
	}
	writeResponse(w, resp)
}

func isNull(data json.RawMessage) bool {
	d := bytes.TrimSpace(data)
	return len(d) == 0 || bytes.Equal(d, []byte("null"))
}

// refuseUpload answers a multipart request refused as a whole, with the
// status the error table gives its code.
func refuseUpload(w http.ResponseWriter, err error) {
	var de *domain.Error
	if !errors.As(err, &de) {
		de = &domain.Error{Code: domain.CodeParse, Message: "the multipart body cannot be read"}
	}
	ext := map[string]any{"code": string(de.Code)}
	if de.Field != "" {
		ext["field"] = de.Field
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(de.Code.HTTPStatus())
	writeResponse(w, &graphql.Response{Errors: gqlerror.List{{Message: de.Message, Extensions: ext}}})
}

func tooLarge(n int64) error {
	return &domain.Error{Code: domain.CodeTooLarge, Message: fmt.Sprintf("request body over %d bytes", n)}
}

// closeUnread marks the response "Connection: close" when it is written
// before the body was read to its end.
type closeUnread struct {
	http.ResponseWriter
	body    *multipartBody
	written bool
}

func (w *closeUnread) WriteHeader(code int) {
	if !w.written {
		w.written = true
		if !w.body.ended() {
			w.Header().Set("Connection", "close")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *closeUnread) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *closeUnread) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// multipartBody is a multipart request being read: its operations and map
// first, then each file when it is opened (the files before it, if any,
// are written to temporary files on the way).
type multipartBody struct {
	mu      sync.Mutex
	mr      *multipart.Reader
	maxBody int64
	keys    map[string]bool     // the file keys the map names
	files   map[string]*spooled // the files read, by key
	err     error               // once the body failed, every open returns it
	end     bool                // the body was read to its end
}

// finish reads the end of the body if every file was read (so that the
// connection serves the next request).
func (b *multipartBody) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil || b.end || len(b.files) < len(b.keys) {
		return
	}
	if _, err := b.mr.NextPart(); err == io.EOF {
		b.end = true
	}
}

// ended reports whether the body was read to its end.
func (b *multipartBody) ended() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.end
}

// spooled is a file part read into a temporary file.
type spooled struct {
	name string
	file *os.File
	size int64
}

// operations reads the operations and map parts and puts a pending upload
// at each path the map names.
func (b *multipartBody) operations(maxField int64) (*graphql.RawParams, error) {
	raw, err := b.field("operations", maxField)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(raw) {
		return nil, domain.Invalid("", "the request body is not valid UTF-8")
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		return nil, domain.Invalid("operations", "batched operations are not accepted: send one operation object")
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		return nil, &domain.Error{Code: domain.CodeParse, Message: "operations is not a JSON object: " + jsonProblem(err)}
	}
	raw, err = b.field("map", maxField)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(raw) {
		return nil, domain.Invalid("", "the request body is not valid UTF-8")
	}
	var paths map[string][]string
	if err := json.Unmarshal(raw, &paths); err != nil {
		return nil, domain.Invalid("map", "map is not a JSON object of file keys to lists of variable paths: %s", jsonProblem(err))
	}
	b.keys = map[string]bool{}
	for key, list := range paths {
		if len(list) == 0 {
			return nil, domain.Invalid("map", "map gives file %q no variable", key)
		}
		for _, path := range list {
			if err := setUpload(params.Variables, path, graphql.Upload{File: &pendingFile{body: b, key: key}, Size: -1}); err != nil {
				return nil, domain.Invalid("map", "map gives file %q the path %q: %s", key, path, err)
			}
		}
		b.keys[key] = true
	}
	return &params, nil
}

// jsonProblem is what is wrong with a JSON text, without quoting it.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("a %s where %s was expected", te.Value, te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "it is empty or cut short"
	}
	return "invalid JSON"
}

// field reads the next part, which must be the form field name, whole (at
// most max bytes).
func (b *multipartBody) field(name string, max int64) ([]byte, error) {
	part, err := b.mr.NextPart()
	if err == io.EOF {
		return nil, domain.Invalid(name, "the request has no %s part (the operations part comes first, then map, then the files)", name)
	}
	if err != nil {
		return nil, bodyError(err)
	}
	if part.FormName() != name {
		return nil, domain.Invalid(name, "the request has no %s part where expected (the operations part comes first, then map, then the files)", name)
	}
	raw, err := io.ReadAll(io.LimitReader(part, max+1))
	switch {
	case err != nil:
		return nil, bodyError(err)
	case int64(len(raw)) > max:
		return nil, domain.Invalid(name, "the %s part is over %d bytes", name, max)
	}
	return raw, nil
}

// bodyError is the error of a body that could not be read: over the limit,
// or malformed (cut short, a broken boundary).
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return &domain.Error{Code: domain.CodeParse, Message: "the multipart body is malformed or cut short", Err: err}
}

// setUpload puts up at path ("variables.file", "variables.files.0") in
// vars, where the operations must hold null.
func setUpload(vars map[string]any, path string, up graphql.Upload) error {
	rest, ok := strings.CutPrefix(path, "variables.")
	if !ok {
		return errors.New(`a path starts with "variables."`)
	}
	steps := strings.Split(rest, ".")
	var at any = vars
	for i, step := range steps {
		last := i == len(steps)-1
		switch c := at.(type) {
		case map[string]any:
			v, ok := c[step]
			if !ok {
				return fmt.Errorf("the operations have no variable %q", strings.Join(steps[:i+1], "."))
			}
			if last {
				if v != nil {
					return errors.New("the variable is not null in the operations")
				}
				c[step] = up
				return nil
			}
			at = v
		case []any:
			n, err := strconv.Atoi(step)
			if err != nil || n < 0 || n >= len(c) {
				return fmt.Errorf("the operations have no element %q", strings.Join(steps[:i+1], "."))
			}
			if last {
				if c[n] != nil {
					return errors.New("the variable is not null in the operations")
				}
				c[n] = up
				return nil
			}
			at = c[n]
		default:
			return fmt.Errorf("the operations have no variable %q", strings.Join(steps[:i+1], "."))
		}
	}
	return errors.New("the path names no variable")
}

// open returns the file key, reading the body up to it if it is not read
// yet (the files before it, which other variables may still open, to
// temporary files too).
func (b *multipartBody) open(key string) (*spooled, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if f, ok := b.files[key]; ok {
		return f, nil
	}
	if b.err != nil {
		return nil, b.err
	}
	for {
		part, err := b.mr.NextPart()
		if err == io.EOF {
			b.end = true
			b.err = domain.Invalid("map", "the request has no file part %q", key)
			return nil, b.err
		}
		if err != nil {
			b.err = bodyError(err)
			return nil, b.err
		}
		k := part.FormName()
		if !b.keys[k] || b.files[k] != nil {
			b.err = domain.Invalid("map", "the file part %q is not in the map, or comes twice", k)
			return nil, b.err
		}
		f, err := spool(part)
		if err != nil {
			b.err = err
			return nil, err
		}
		b.files[k] = f
		if k == key {
			return f, nil
		}
	}
}

// spool copies a file part to a temporary file.
func spool(part *multipart.Part) (*spooled, error) {
	tmp, err := os.CreateTemp("", "thidua-upload-*")
	if err != nil {
		return nil, fmt.Errorf("temporary file for an upload: %w", err)
	}
	_ = os.Remove(tmp.Name()) // unlinked: gone with the last descriptor, whatever happens
	n, err := io.Copy(tmp, part)
	if err != nil {
		_ = tmp.Close()
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("write an upload to a temporary file: %w", err)
		}
		return nil, bodyError(err)
	}
	return &spooled{name: part.FileName(), file: tmp, size: n}, nil
}

// failure is the error that made the body unreadable, if any.
func (b *multipartBody) failure() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if domain.ErrorCode(b.err) == domain.CodeInternal {
		return nil // the server's (a temporary file), answered by the field
	}
	return b.err
}

// close removes the temporary files.
func (b *multipartBody) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.files {
		_ = f.file.Close()
	}
}

// pendingFile is the graphql.Upload's File of a file of the request, read
// when first opened.
type pendingFile struct {
	body *multipartBody
	key  string
	off  int64
}

func (p *pendingFile) Read(b []byte) (int, error) {
	f, err := p.body.open(p.key)
	if err != nil {
		return 0, err
	}
	n, err := f.file.ReadAt(b, p.off)
	p.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (p *pendingFile) Seek(offset int64, whence int) (int64, error) {
	f, err := p.body.open(p.key)
	if err != nil {
		return 0, err
	}
	switch whence {
	case io.SeekCurrent:
		offset += p.off
	case io.SeekEnd:
		offset += f.size
	}
	if offset < 0 {
		return 0, errors.New("seek before the start of an upload")
	}
	p.off = offset
	return offset, nil
}

// upload is a graphql.Upload as the service opens it.
type upload struct {
	graphql.Upload
	limit int64 // the largest file accepted (one read otherwise is read at most one byte more)
}

var _ service.Upload = upload{}

// Open reads the file from the request (pendingFile), or takes it as it
// is: a file that can be read at any offset, or one read into memory.
func (u upload) Open() (string, io.ReaderAt, int64, error) {
	if p, ok := u.File.(*pendingFile); ok {
		f, err := p.body.open(p.key)
		if err != nil {
			return "", nil, 0, err
		}
		return f.name, f.file, f.size, nil
	}
	if ra, ok := u.File.(io.ReaderAt); ok && u.Size >= 0 {
		return u.Filename, ra, u.Size, nil
	}
	data, err := io.ReadAll(io.LimitReader(u.File, u.limit+1))
	if err != nil {
		return "", nil, 0, domain.Invalid("file", "the upload could not be read")
	}
	return u.Filename, bytes.NewReader(data), int64(len(data)), nil
}
