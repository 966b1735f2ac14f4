// Package playground serves GraphiQL, with every script, style and font
// embedded in the binary (see fetch-assets.sh): the page works offline and
// loads nothing from a CDN.
package playground

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed index.html playground.js playground.css assets
var files embed.FS

// csp allows only this server's own assets (fonts are inlined as data: URIs).
const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"

// Page serves the playground page.
func Page() http.Handler {
	page, _ := files.ReadFile("index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(page)
	})
}

// Assets serves the playground's scripts and styles under /playground/.
func Assets() http.Handler {
	assets, _ := fs.Sub(files, "assets")
	own := http.FileServerFS(files)
	lib := http.FileServerFS(assets)
	return http.StripPrefix("/playground", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		switch r.URL.Path {
		case "/playground.js", "/playground.css":
			own.ServeHTTP(w, r)
		default:
			lib.ServeHTTP(w, r)
		}
	}))
}
