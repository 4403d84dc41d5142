package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Compression. Static files are compressed once at build time
// (tools/build-assets.mjs writes .br and .gz beside each); cached pages
// keep their compressed bodies with them; everything else text-like is
// compressed as it is written.

// encoding picks the response encoding the client accepts: brotli, then
// gzip, else none. A q=0 refuses an encoding.
func encoding(r *http.Request) string {
	accepted := map[string]bool{}
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q, _ = strconv.ParseFloat(v, 64)
		}
		accepted[strings.ToLower(strings.TrimSpace(name))] = q > 0
	}
	switch {
	case accepted["br"]:
		return "br"
	case accepted["gzip"]:
		return "gzip"
	}
	return ""
}

// compressible reports whether a content type is text worth compressing.
func compressible(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/javascript" ||
		mt == "application/xml" || mt == "image/svg+xml"
}

// compress returns body in the encoding.
func compress(body []byte, enc string) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	if enc == "br" {
		w = brotli.NewWriterLevel(&buf, 6)
	} else {
		w, _ = gzip.NewWriterLevel(&buf, 6)
	}
	w.Write(body)
	w.Close()
	return buf.Bytes()
}

// encoded keeps a response's compressed bodies, each made the first time a
// client asks for that encoding: a cached page is compressed once per
// encoding, not once per request.
type encoded struct {
	mu       sync.Mutex
	br, gzip []byte
}

func (e *encoded) body(plain []byte, enc string) []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	kept := &e.gzip
	if enc == "br" {
		kept = &e.br
	}
	if *kept == nil {
		*kept = compress(plain, enc)
	}
	return *kept
}

// compressWriter compresses a response as it is written, when the client
// accepts it and the handler has not encoded it already.
type compressWriter struct {
	http.ResponseWriter
	enc     string
	w       io.WriteCloser
	decided bool
}

func (cw *compressWriter) WriteHeader(code int) {
	if !cw.decided {
		cw.decided = true
		h := cw.Header()
		if compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" {
			h.Add("Vary", "Accept-Encoding")
			if code != http.StatusNoContent && code != http.StatusNotModified && code >= 200 {
				h.Del("Content-Length")
				h.Set("Content-Encoding", cw.enc)
				if cw.enc == "br" {
					cw.w = brotli.NewWriterLevel(cw.ResponseWriter, 4)
				} else {
					cw.w, _ = gzip.NewWriterLevel(cw.ResponseWriter, 6)
				}
			}
		}
	}
	cw.ResponseWriter.WriteHeader(code)
}

func (cw *compressWriter) Write(b []byte) (int, error) {
	if !cw.decided {
		if cw.Header().Get("Content-Type") == "" {
			cw.Header().Set("Content-Type", http.DetectContentType(b))
		}
		cw.WriteHeader(http.StatusOK)
	}
	if cw.w != nil {
		return cw.w.Write(b)
	}
	return cw.ResponseWriter.Write(b)
}

// close ends the compressed stream.
func (cw *compressWriter) close() {
	if cw.w != nil {
		cw.w.Close()
	}
}

// Flush sends what is buffered, for responses that stream.
func (cw *compressWriter) Flush() {
	if f, ok := cw.w.(interface{ Flush() error }); ok {
		f.Flush()
	}
	http.NewResponseController(cw.ResponseWriter).Flush()
}

func (cw *compressWriter) Unwrap() http.ResponseWriter { return cw.ResponseWriter }
