package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thidua/thidua/domain"
)

// fileErr writes an error as the HTTP surface does (the table's status).
func fileErr(w http.ResponseWriter, _ *http.Request, err error) {
	var de *domain.Error
	msg := "internal error"
	if errors.As(err, &de) {
		msg = de.Message
	}
	writeError(w, domain.ErrorCode(err), msg)
}

const fileSum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// stored is one attachment, visible as "f1"; "hidden" is one the caller may
// not see (open says NOT_FOUND, as for none).
func openStored(body string, readErr error) func(context.Context, string) (*domain.Attachment, io.ReadCloser, error) {
	return func(_ context.Context, id string) (*domain.Attachment, io.ReadCloser, error) {
		switch id {
		case "f1":
			a := &domain.Attachment{ID: "f1", Name: `Quyết định "khen" Đợt 1/2026%.pdf`, ContentType: domain.TypePDF,
				Size: int64(len(body)), SHA256: fileSum}
			var r io.Reader = strings.NewReader(body)
			if readErr != nil { // half the file, then the error
				r = io.MultiReader(strings.NewReader(body[:len(body)/2]), &failing{readErr})
			}
			return a, io.NopCloser(r), nil
		case "down":
			return nil, nil, domain.Unavailable(errors.New("no server"))
		}
		return nil, nil, domain.NotFound("attachment", id)
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

func TestFileHandler(t *testing.T) {
	h := FileHandler(openStored("%PDF-1.4 test %%EOF", nil), fileErr)
	serve := func(method, path string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		for i := 0; i < len(header); i += 2 {
			req.Header.Add(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const disposition = `attachment; filename="Quyet dinh _khen_ Dot 1_2026_.pdf"; ` +
		`filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20%22khen%22%20%C4%90%E1%BB%A3t%201%2F2026%25.pdf`
	want := map[string]string{
		"Content-Type":            "application/pdf",
		"Content-Disposition":     disposition,
		"Content-Length":          "19",
		"Etag":                    `"` + fileSum + `"`,
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "private, no-store",
		"Content-Security-Policy": "sandbox",
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := serve(method, "/files/f1")
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", method, rec.Code, rec.Body)
		}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", method, k, got, v)
			}
		}
		if wantBody := map[string]string{"GET": "%PDF-1.4 test %%EOF", "HEAD": ""}[method]; rec.Body.String() != wantBody {
			t.Errorf("%s: body %q, want %q", method, rec.Body, wantBody)
		}
	}

	for _, inm := range []string{`"` + fileSum + `"`, `"x", W/"` + fileSum + `"`, "*"} {
		rec := serve("GET", "/files/f1", "If-None-Match", inm)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("Etag") != want["Etag"] ||
			rec.Header().Get("Cache-Control") != "private, no-store" {
			t.Errorf("If-None-Match %s: %d %v %q, want 304 with the ETag and no body", inm, rec.Code, rec.Header(), rec.Body)
		}
	}
	if rec := serve("GET", "/files/f1", "If-None-Match", `"other"`); rec.Code != 200 {
		t.Errorf("If-None-Match of another tag: %d, want 200", rec.Code)
	}

	for _, c := range []struct {
		method, path string
		status       int
		code         domain.Code
	}{
		{"GET", "/files/hidden", 404, domain.CodeNotFound},
		{"GET", "/files/absent", 404, domain.CodeNotFound},
		{"GET", "/files/", 404, domain.CodeNotFound},
		{"GET", "/files/f1/more", 404, domain.CodeNotFound},
		{"GET", "/files/down", 503, domain.CodeUnavailable},
		{"POST", "/files/f1", 405, domain.CodeMethodNotAllowed},
		{"DELETE", "/files/f1", 405, domain.CodeMethodNotAllowed},
		{"PUT", "/files/absent", 405, domain.CodeMethodNotAllowed},
	} {
		rec := serve(c.method, c.path)
		if rec.Code != c.status || !strings.Contains(rec.Body.String(), string(c.code)) ||
			rec.Header().Get("Content-Disposition") != "" || rec.Header().Get("Etag") != "" {
			t.Errorf("%s %s: %d %v %s, want %d %s without the file's headers", c.method, c.path, rec.Code, rec.Header(), rec.Body, c.status, c.code)
		}
		if c.status == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q, want GET, HEAD", c.method, c.path, rec.Header().Get("Allow"))
		}
	}
}

// A file whose bytes fail part way is cut short: the connection is dropped,
// so the client never takes it for whole.
func TestFileHandlerCutsAFailedRead(t *testing.T) {
	srv := httptest.NewServer(FileHandler(openStored(strings.Repeat("x", 1<<20), errors.New("chunk 2 is missing")), fileErr))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/files/f1")
	if err != nil {
		return // cut before the headers were sent
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil || resp.StatusCode != 200 {
		t.Fatalf("%d: read %d bytes, error %v; want 200 and a body cut short", resp.StatusCode, len(body), err)
	}
}

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"a.pdf":               `attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`,
		"Bảng tổng hợp.xlsx":  `attachment; filename="Bang tong hop.xlsx"; filename*=UTF-8''B%E1%BA%A3ng%20t%E1%BB%95ng%20h%E1%BB%A3p.xlsx`,
		"中文;x=1.pdf":          `attachment; filename="__;x=1.pdf"; filename*=UTF-8''%E4%B8%AD%E6%96%87%3Bx%3D1.pdf`,
		"a\\b'(c)*.pdf":       `attachment; filename="a_b'(c)*.pdf"; filename*=UTF-8''a%5Cb%27%28c%29%2A.pdf`,
		"Nghị quyết ĐẢNG.pdf": `attachment; filename="Nghi quyet DANG.pdf"; filename*=UTF-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt%20%C4%90%E1%BA%A2NG.pdf`,
	} {
		if got := contentDisposition(name); got != want {
			t.Errorf("contentDisposition(%q) =\n %s\nwant\n %s", name, got, want)
		}
	}
}
