package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/thidua/thidua/auth"
	"github.com/thidua/thidua/domain"
)

// UploadLimits bound the uploads (signed-in callers' multipart requests)
// in progress at once: Total for the process, PerSubject for one token
// subject. Zero is no limit.
type UploadLimits struct {
	Total, PerSubject int
}

// uploadRetry is the Retry-After of a refused upload, in seconds: about
// the time an upload of the largest file takes.
const uploadRetry = 5

// uploadSlots counts the uploads in progress.
type uploadSlots struct {
	limits    UploadLimits
	mu        sync.Mutex
	total     int
	bySubject map[string]int
}

// take takes a slot for an upload of subject: the refusal's code if there
// is none (RATE_LIMITED: the subject has its share; SERVICE_UNAVAILABLE:
// the process has).
func (s *uploadSlots) take(subject string) (domain.Code, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.limits.PerSubject > 0 && s.bySubject[subject] >= s.limits.PerSubject:
		return domain.CodeRateLimited, false
	case s.limits.Total > 0 && s.total >= s.limits.Total:
		return domain.CodeUnavailable, false
	}
	s.total++
	s.bySubject[subject]++
	return "", true
}

func (s *uploadSlots) give(subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total--
	if s.bySubject[subject]--; s.bySubject[subject] <= 0 {
		delete(s.bySubject, subject)
	}
}

// limitUploads refuses an upload over the limits before its body is read:
// 429 RATE_LIMITED when the caller has PerSubject uploads in progress, 503
// SERVICE_UNAVAILABLE when the process has Total, both with Retry-After.
// It runs after authentication: an anonymous caller does not upload.
func limitUploads(l UploadLimits, next http.Handler) http.Handler {
	if l.Total <= 0 && l.PerSubject <= 0 {
		return next
	}
	slots := &uploadSlots{limits: l, bySubject: map[string]int{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.FromContext(r.Context())
		if p == nil || r.Method != http.MethodPost || !isMultipart(r) {
			next.ServeHTTP(w, r)
			return
		}
		code, ok := slots.take(p.Subject)
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(uploadRetry))
			msg := fmt.Sprintf("the server is receiving as many uploads as it can; retry in %d s", uploadRetry)
			if code == domain.CodeRateLimited {
				msg = fmt.Sprintf("you have %d uploads in progress, the most at once; retry in %d s", l.PerSubject, uploadRetry)
			}
			writeError(w, code, msg)
			return
		}
		defer slots.give(p.Subject)
		next.ServeHTTP(w, r)
	})
}
