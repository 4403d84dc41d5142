package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
)

// AddressRanges are IP addresses and CIDR ranges, such as the proxies in
// front of hcs whose forwarding headers say who the client is (a request
// from anyone else is taken to come from its peer address, whatever
// headers it brings: a client could otherwise write any address it liked
// into them).
type AddressRanges []netip.Prefix

// ParseAddressRanges reads a comma-separated list of IP addresses and
// CIDR ranges, such as "10.0.0.0/8, 127.0.0.1".
func ParseAddressRanges(s string) (AddressRanges, error) {
	var out AddressRanges
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or a CIDR range such as 10.0.0.0/8", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (t AddressRanges) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client returns the address of the client that made the request. From a
// trusted proxy, it is the nearest address in the forwarding chain that is
// not itself a trusted proxy: the chain is read from the right, where each
// proxy appended the peer it saw, and everything to the left of the first
// untrusted address is the client's own word. Only the one header the
// proxies write is read (X-Forwarded-For, or RFC 7239's Forwarded with
// useForwarded): a proxy passes the other through as the client sent it.
func (t AddressRanges) client(r *http.Request, useForwarded bool) string {
	peer := peerAddress(r)
	a, err := netip.ParseAddr(peer)
	if err != nil || !t.trusts(a) {
		return peer
	}
	chain := forwardedFor(r.Header, useForwarded)
	client := a
	for i := len(chain) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(chain[i])
		if err != nil {
			// "unknown", an obfuscated name or garbage: the last
			// address known is the nearest proxy's.
			break
		}
		client = hop.Unmap()
		if !t.trusts(client) {
			break
		}
	}
	return client.String()
}

// forwardedFor lists the addresses a request passed through, client
// first, from X-Forwarded-For or, with useForwarded, from Forwarded.
func forwardedFor(h http.Header, useForwarded bool) []string {
	var out []string
	if useForwarded {
		for _, v := range h.Values("Forwarded") {
			for element := range strings.SplitSeq(v, ",") {
				for pair := range strings.SplitSeq(element, ";") {
					key, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
					if !ok || !strings.EqualFold(key, "for") {
						continue
					}
					out = append(out, forwardedNode(value))
				}
			}
		}
		return out
	}
	for _, v := range h.Values("X-Forwarded-For") {
		for part := range strings.SplitSeq(v, ",") {
			out = append(out, strings.TrimSpace(part))
		}
	}
	return out
}

// forwardedNode reads a Forwarded for= value: 192.0.2.60, "192.0.2.60:47011",
// "[2001:db8:cafe::17]:4711" or "unknown".
func forwardedNode(v string) string {
	v = strings.Trim(strings.TrimSpace(v), `"`)
	if strings.HasPrefix(v, "[") {
		if end := strings.Index(v, "]"); end > 0 {
			return v[1:end]
		}
		return v
	}
	if host, _, err := net.SplitHostPort(v); err == nil {
		return host
	}
	return v
}

// peerAddress is the IP address of the connection's other end.
func peerAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type clientKey struct{}

// clientAddress is the address of the client that made the request: its
// peer, or what a trusted proxy forwarded (see Config.TrustedProxies).
func clientAddress(r *http.Request) string {
	if a, ok := r.Context().Value(clientKey{}).(string); ok {
		return a
	}
	return peerAddress(r)
}

type requestIDKey struct{}

// requestIDs makes request ids: this process's random prefix and a count,
// unique across servers without a random read per request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	b := make([]byte, 6)
	rand.Read(b)
	return &requestIDs{prefix: hex.EncodeToString(b)}
}

func (g *requestIDs) next() string {
	return g.prefix + "-" + strconv.FormatUint(g.n.Add(1), 36)
}

// requestID is the request's id: the one a trusted proxy sent in
// X-Request-Id, so that its logs and ours name the same request, or a new
// one. It is sent back in X-Request-Id and written in every log line about
// the request.
func (s *Server) requestID(r *http.Request) string {
	if len(s.proxies) > 0 {
		if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && checkIdempotencyKey(id) == nil {
			if a, err := netip.ParseAddr(peerAddress(r)); err == nil && s.proxies.trusts(a) {
				return id
			}
		}
	}
	return s.ids.next()
}

// requestIDOf returns the id the middleware gave the request.
func requestIDOf(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}
