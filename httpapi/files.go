package httpapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/thidua/thidua/domain"
)

// FileHandler serves attachments: GET (and HEAD) /files/{id}. open returns
// the attachment and its bytes if the caller may see it (NOT_FOUND if not,
// or if there is none); its errors, and any other method (405), are answered
// by writeErr. A file is sent as a download of the type it was found to be
// when stored, never to be sniffed, cached or run by the browser, with its
// SHA-256 as its ETag (If-None-Match answers 304).
func FileHandler(open func(ctx context.Context, id string) (*domain.Attachment, io.ReadCloser, error),
	writeErr func(w http.ResponseWriter, r *http.Request, err error)) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/files/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeErr(w, r, &domain.Error{Code: domain.CodeMethodNotAllowed, Message: "files are read with GET"})
			return
		}
		a, body, err := open(r.Context(), r.PathValue("id"))
		if err != nil {
			writeErr(w, r, err)
			return
		}
		defer body.Close()
		h := w.Header()
		etag := `"` + a.SHA256 + `"`
		h.Set("ETag", etag)
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "sandbox")
		if a.SHA256 != "" && etagMatches(r.Header.Values("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		contentType := a.ContentType
		if contentType == "" {
			contentType = "application/octet-stream"
		}
		h.Set("Content-Type", contentType)
		h.Set("Content-Disposition", contentDisposition(a.Name))
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
		if r.Method == http.MethodHead {
			return
		}
		// If the read fails, the status is sent: the client learns of it
		// from the connection, which net/http closes when fewer bytes than
		// the Content-Length were written (the store's reader fails before
		// it gives the last bytes of a file that is not whole).
		_, _ = io.Copy(w, body)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, r, domain.NotFound("file", strings.TrimPrefix(r.URL.Path, "/files/")))
	})
	return mux
}

// etagMatches reports whether an If-None-Match header lists etag (or is
// "*"), compared weakly as RFC 9110 asks.
func etagMatches(values []string, etag string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
	}
	return false
}

// contentDisposition is an attachment named name: an ASCII name for old
// clients (diacritics dropped, đ as d, anything else outside printable ASCII,
// quotes, slashes and % as _), and the UTF-8 name percent-encoded (RFC 6266, 8187).
func contentDisposition(name string) string {
	var ascii strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			ascii.WriteByte('d')
		case r == 'Đ':
			ascii.WriteByte('D')
		case r < 0x20 || r > 0x7E || strings.ContainsRune(`"\/%`, r):
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	var enc strings.Builder
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii.String(), enc.String())
}

// isAttrChar reports whether b may stand unencoded in an RFC 8187 value.
func isAttrChar(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}
