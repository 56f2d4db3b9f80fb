package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/edgefit/edgefit/regress/modelfile"
	"github.com/edgefit/edgefit/regress/serve"
)

// serveFlags are edgefit serve's settings.
type serveFlags struct {
	model, addr                  string
	names                        nameFlags
	watch                        time.Duration
	maxBody                      int64
	maxRows                      int
	readTimeout, writeTimeout    time.Duration
	idleTimeout, shutdownTimeout time.Duration
	allowChange                  bool
}

func serveFlagSet(e *env) (*flagSet, *serveFlags) {
	fs := newFlags(e, "serve", "-model MODEL [-addr HOST:PORT] [flags]")
	f := &serveFlags{}
	fs.StringVar(&f.model, "model", "", "the model `file` to serve (edgefit train -o, or a PyTorch safetensors file)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen on this `host:port` (port 0: one the system chooses; the address is printed on stderr)")
	f.names = addNameFlags(fs)
	fs.DurationVar(&f.watch, "watch", time.Second, "check the model file for changes this often (0: only on SIGHUP)")
	fs.Int64Var(&f.maxBody, "max-body", 16<<20, "the largest request body, in `bytes` (413 beyond)")
	fs.IntVar(&f.maxRows, "max-rows", 100000, "the most `rows` in one request (413 beyond)")
	fs.DurationVar(&f.readTimeout, "read-timeout", 10*time.Second, "the time a client has to send a request, headers and body (408 or a closed connection beyond)")
	fs.DurationVar(&f.writeTimeout, "write-timeout", 20*time.Second, "the time from a request's headers to the end of its answer")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", 60*time.Second, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGINT or SIGTERM, how long requests under way may take to finish")
	fs.BoolVar(&f.allowChange, "allow-change", false, "accept a new model file with other column names or shape than the one served")
	return fs, f
}

// check reports a flag out of range.
func (f *serveFlags) check() error {
	switch {
	case f.model == "":
		return errors.New("-model is required: the model file to serve")
	case f.maxBody <= 0 || f.maxBody > 1<<30:
		return fmt.Errorf("-max-body %d: want 1 to %d bytes", f.maxBody, 1<<30)
	case f.maxRows <= 0:
		return fmt.Errorf("-max-rows %d: want at least 1", f.maxRows)
	case f.watch < 0:
		return fmt.Errorf("-watch %v: want 0 (off) or more", f.watch)
	case f.readTimeout <= 0 || f.writeTimeout <= 0 || f.idleTimeout <= 0 || f.shutdownTimeout <= 0:
		return errors.New("-read-timeout, -write-timeout, -idle-timeout and -shutdown-timeout must be positive")
	}
	return nil
}

func cmdServe(e *env, args []string) error {
	fs, f := serveFlagSet(e)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected argument %s (edgefit serve -h lists the flags)", clipArg(pos[0]))
	}
	if err := f.check(); err != nil {
		return err
	}
	logger := log.New(e.stderr, "edgefit serve: ", log.LstdFlags|log.LUTC)
	opts := serve.Options{AllowChange: f.allowChange}
	if *f.names.inputs != "" {
		opts.Inputs = splitNames(*f.names.inputs)
	}
	if *f.names.outputs != "" {
		opts.Outputs = splitNames(*f.names.outputs)
	}
	started := false
	opts.OnLoad = func(m *serve.Model, err error) {
		switch {
		case err != nil && started:
			logger.Printf("kept model %08x: %v", m.Version(), oneLine(err.Error()))
		case err == nil && started:
			logger.Printf("serving model %08x (%s, %d inputs, %d outputs)", m.Version(), f.model, m.In(), m.Out())
		}
	}
	pred, err := serve.Open(f.model, opts)
	if err != nil {
		return err
	}
	started = true
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %v", f.addr, err)
	}
	m := pred.Current()
	model := f.model
	if m.Source() == modelfile.SourcePyTorch {
		model += ", " + m.Source()
	}
	fmt.Fprintf(e.stderr, "edgefit serve: listening on http://%s (model %s, version %08x, %d inputs, %d outputs)\n", ln.Addr(), model, m.Version(), m.In(), m.Out())
	return runServer(f, pred, ln, logger)
}

// runServer serves until SIGINT or SIGTERM, then lets the requests under way
// finish; SIGHUP reloads the model file.
func runServer(f *serveFlags, pred *serve.Predictor, ln net.Listener, logger *log.Logger) error {
	s := newServer(pred, f.maxBody, f.maxRows)
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: min(f.readTimeout, 5*time.Second),
		ReadTimeout:       f.readTimeout,
		WriteTimeout:      f.writeTimeout,
		IdleTimeout:       f.idleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if f.watch > 0 {
		go pred.Watch(ctx, f.watch)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	for {
		select {
		case err := <-served:
			return err
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				if ok, err := pred.Reload(); err == nil && !ok {
					logger.Printf("SIGHUP: %s unchanged, still serving model %08x", f.model, pred.Current().Version())
				}
				continue
			}
			logger.Printf("%v: finishing the requests under way", sig)
			s.draining.Store(true)
			sctx, scancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
			err := srv.Shutdown(sctx)
			scancel()
			if err != nil {
				srv.Close()
				return fmt.Errorf("requests still under way after -shutdown-timeout %v were cut off", f.shutdownTimeout)
			}
			logger.Printf("stopped")
			return nil
		}
	}
}
