package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildEdgefit builds the command from the repository this module replaces
// edgefit with (bench/go.mod) into dir.
func buildEdgefit(dir string) (string, error) {
	bin := filepath.Join(dir, "edgefit")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/edgefit/edgefit/cmd/edgefit").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building edgefit: %v\n%s", err, out)
	}
	return bin, nil
}

// server is a running `edgefit serve`.
type server struct {
	cmd    *exec.Cmd
	addr   string       // host:port it listens on
	mu     sync.Mutex   // guards stderr
	stderr bytes.Buffer // what it wrote after the address
	done   chan error
}

// startServer starts `bin serve -model model` on a port the system chooses
// and waits for the address it prints.
func startServer(bin, model string, timeout time.Duration) (*server, error) {
	s := &server{done: make(chan error, 1)}
	s.cmd = exec.Command(bin, "serve", "-model", model, "-addr", "127.0.0.1:0", "-watch", "0")
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		const mark = "listening on http://"
		found := false
		for sc.Scan() {
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, mark); ok && !found {
				a, _, _ := strings.Cut(rest, " ")
				addr <- a
				found = true
				continue
			}
			s.mu.Lock()
			s.stderr.WriteString(line + "\n")
			s.mu.Unlock()
		}
		io.Copy(io.Discard, pipe)
		s.done <- s.cmd.Wait()
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			return nil, fmt.Errorf("edgefit serve exited before listening: %s", s.log())
		}
		s.addr = a
		return s, nil
	case <-time.After(timeout):
		s.cmd.Process.Kill()
		return nil, fmt.Errorf("edgefit serve printed no address in %v: %s", timeout, s.log())
	}
}

// log is what the server wrote on stderr besides its address.
func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.TrimSpace(s.stderr.String())
}

// stop stops the server as SIGTERM asks (graceful shutdown), killing it if
// it has not exited within the timeout.
func (s *server) stop(timeout time.Duration) error {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("edgefit serve: %v: %s", err, s.log())
		}
		return nil
	case <-time.After(timeout):
		s.cmd.Process.Kill()
		return fmt.Errorf("edgefit serve still running %v after SIGTERM: killed", timeout)
	}
}
