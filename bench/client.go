package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"time"
)

// Request is one HTTP/1.1 request, serialized once, and where to send it. The load generator
// writes these bytes as they are on a kept-alive connection, so the client's own cost per
// request is small and the same for authgate and the bare handler: both receive exactly the
// same request, headers included (only Host differs, by port).
type Request struct {
	addr string      // host:port to dial
	host string      // for TLS server names
	tls  *tls.Config // nil for http://
	raw  []byte
}

// NewRequest builds a request for base (http:// or https://) + path with the headers and
// an optional JSON body.
func NewRequest(base, method, path string, header http.Header, body []byte) (*Request, error) {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: target %q is not an http(s) URL", ErrInvalidOptions, base)
	}
	r := &Request{addr: u.Host, host: u.Hostname()}
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		r.addr = net.JoinHostPort(u.Hostname(), port)
	}
	if u.Scheme == "https" {
		r.tls = &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: authgate-bench\r\n", method, path, u.Host)
	keys := make([]string, 0, len(header))
	for k := range header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	if body != nil {
		fmt.Fprintf(&b, "Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	r.raw = b.Bytes()
	return r, nil
}

// Response is what a round trip returned.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Conn is one kept-alive client connection. It is not safe for concurrent use.
type Conn struct {
	target *Request
	nc     net.Conn
	br     *bufio.Reader
}

// Dial opens a connection to where r goes.
func Dial(ctx context.Context, r *Request) (*Conn, error) {
	c := &Conn{target: r}
	return c, c.redial(ctx)
}

func (c *Conn) redial(ctx context.Context) error {
	if c.nc != nil {
		c.nc.Close()
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	var (
		nc  net.Conn
		err error
	)
	if c.target.tls != nil {
		td := tls.Dialer{NetDialer: &d, Config: c.target.tls}
		nc, err = td.DialContext(ctx, "tcp", c.target.addr)
	} else {
		nc, err = d.DialContext(ctx, "tcp", c.target.addr)
	}
	if err != nil {
		c.nc = nil
		return fmt.Errorf("dial %s: %w", c.target.addr, err)
	}
	c.nc, c.br = nc, bufio.NewReaderSize(nc, 16<<10)
	return nil
}

// Do sends r (which must go where the connection goes) and reads the answer; keepBody keeps
// the body and headers, else they are discarded. A connection the server closed is dialed
// again for the next request.
func (c *Conn) Do(ctx context.Context, r *Request, keepBody bool) (Response, error) {
	if c.nc == nil {
		if err := c.redial(ctx); err != nil {
			return Response{}, err
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.nc.SetDeadline(dl)
	}
	if _, err := c.nc.Write(r.raw); err != nil {
		c.Close()
		return Response{}, fmt.Errorf("send: %w", err)
	}
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.Close()
		return Response{}, fmt.Errorf("read response: %w", err)
	}
	out := Response{Status: res.StatusCode}
	if keepBody {
		out.Header = res.Header
		out.Body, err = io.ReadAll(res.Body)
	} else {
		_, err = io.Copy(io.Discard, res.Body)
	}
	res.Body.Close()
	if err != nil || res.Close {
		c.Close()
	}
	if err != nil {
		return out, fmt.Errorf("read body: %w", err)
	}
	return out, nil
}

// Close closes the connection; the next Do dials again.
func (c *Conn) Close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// doOnce sends one request on a connection of its own.
func doOnce(ctx context.Context, r *Request) (Response, error) {
	c, err := Dial(ctx, r)
	if err != nil {
		return Response{}, err
	}
	defer c.Close()
	return c.Do(ctx, r, true)
}
