package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection that sends prepared requests
// and reads whole responses, reusing its buffers: a client light enough
// that on a machine it shares with the server it leaves the cores to the
// server (net/http's client costs several allocations and goroutine
// switches a request).
type conn struct {
	addr    string
	c       net.Conn
	r       *bufio.Reader
	body    []byte // the last response's body
	timeout time.Duration
}

func dial(addr string, timeout time.Duration) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return &conn{addr: addr, c: c, r: bufio.NewReaderSize(c, 64<<10), timeout: timeout}, nil
}

func (cn *conn) Close() error { return cn.c.Close() }

// request builds a POST /predict request with the body and Content-Type.
func request(host, contentType string, body []byte) []byte {
	b := []byte("POST /predict HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: " + contentType +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	return append(b, body...)
}

// do sends req and reads the response: its status code, its body in
// cn.body. An error means the connection is unusable.
func (cn *conn) do(req []byte) (int, error) {
	if err := cn.c.SetDeadline(time.Now().Add(cn.timeout)); err != nil {
		return 0, err
	}
	if _, err := cn.c.Write(req); err != nil {
		return 0, err
	}
	return cn.read()
}

var errClosed = errors.New("the server closed the connection (Connection: close)")

// read reads one response: the status line, the headers, and a body of
// Content-Length bytes or in chunks.
func (cn *conn) read() (int, error) {
	line, err := cn.line()
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("status line %q", line)
	}
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("status line %q", line)
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := cn.line()
		if err != nil {
			return 0, err
		}
		if len(line) == 0 {
			break
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, fmt.Errorf("header line %q", line)
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(v)); err != nil || length < 0 {
				return 0, fmt.Errorf("header line %q", line)
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			closing = bytes.EqualFold(v, []byte("close"))
		}
	}
	switch {
	case chunked:
		err = cn.chunks()
	case length >= 0:
		err = cn.fixed(length)
	default:
		err = errors.New("a response with neither Content-Length nor chunks")
	}
	if err == nil && closing {
		err = errClosed
	}
	return code, err
}

// line reads a header line without its CRLF; the slice is valid until the
// next read.
func (cn *conn) line() ([]byte, error) {
	line, err := cn.r.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			err = errors.New("a header line over 64 KiB")
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

func (cn *conn) fixed(n int) error {
	if cap(cn.body) < n {
		cn.body = make([]byte, n)
	}
	cn.body = cn.body[:n]
	_, err := io.ReadFull(cn.r, cn.body)
	return err
}

// chunks reads a chunked body into cn.body.
func (cn *conn) chunks() error {
	cn.body = cn.body[:0]
	for {
		line, err := cn.line()
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseUint(string(bytes.TrimSpace(size)), 16, 31)
		if err != nil {
			return fmt.Errorf("chunk size line %q", line)
		}
		if n == 0 {
			for { // trailers, up to the empty line
				line, err := cn.line()
				if err != nil || len(line) == 0 {
					return err
				}
			}
		}
		start := len(cn.body)
		cn.body = append(cn.body, make([]byte, n)...)
		if _, err := io.ReadFull(cn.r, cn.body[start:]); err != nil {
			return err
		}
		if line, err := cn.line(); err != nil {
			return err
		} else if len(line) != 0 {
			return errors.New("no CRLF after a chunk")
		}
	}
}
