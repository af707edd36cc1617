// Tiny Go HTTP service logging with one of: logrus, logrus-json, slog-text, slog-json (golang.org/x/exp/slog,
// the precursor of log/slog: Debian 12 ships Go 1.19), log (standard package), klog, zap.
// Usage: golog MODE LOGFILE   (serves on 127.0.0.1, drives its own traffic, exits)
package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"golang.org/x/exp/slog"
	klog "k8s.io/klog"
)

type logger struct {
	info, warn, errorf func(msg string, kv ...interface{})
	debug              func(msg string, kv ...interface{})
	fatal              func(msg string, kv ...interface{})
}

func kvs(kv []interface{}) string {
	s := ""
	for i := 0; i+1 < len(kv); i += 2 {
		s += fmt.Sprintf(" %v=%v", kv[i], kv[i+1])
	}
	return s
}

// slogWriter sends net/http's server error log (e.g. handler panics) to slog at ERROR.
type slogWriter struct{ l slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Error(strings.TrimRight(string(p), "\n"), nil)
	return len(p), nil
}

func main() {
	mode, file := os.Args[1], os.Args[2]
	if file == "-" {
		file = "/dev/stderr"
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		panic(err)
	}
	var L logger
	var errLog *log.Logger
	switch mode {
	case "slog-text", "slog-json":
		var h slog.Handler
		opts := slog.HandlerOptions{Level: slog.DebugLevel}
		if mode == "slog-text" {
			h = opts.NewTextHandler(f)
		} else {
			h = opts.NewJSONHandler(f)
		}
		l := slog.New(h)
		L = logger{info: l.Info, warn: l.Warn, debug: l.Debug,
			errorf: func(m string, kv ...interface{}) { l.Error(m, nil, kv...) },
			fatal:  func(m string, kv ...interface{}) { l.Error(m, errors.New("fatal"), kv...) }}
		errLog = log.New(slogWriter{l}, "", 0)
	case "log":
		log.SetOutput(f)
		p := func(m string, kv ...interface{}) { log.Print(m + kvs(kv)) }
		L = logger{info: p, warn: p, errorf: p, debug: p, fatal: p}
		errLog = log.Default()
	case "klog":
		// klog's default: everything to stderr (run as: golog klog - 2>FILE)
		L = logger{info: func(m string, kv ...interface{}) { klog.InfoS(m, kv...) },
			warn:   func(m string, kv ...interface{}) { klog.Warning(m + kvs(kv)) },
			errorf: func(m string, kv ...interface{}) { klog.ErrorS(nil, m, kv...) },
			debug:  func(m string, kv ...interface{}) { klog.V(0).InfoS(m, kv...) },
			fatal:  func(m string, kv ...interface{}) { klog.Fatal(m + kvs(kv)) }}
		klog.CopyStandardLogTo("ERROR")
		errLog = log.Default()
	case "logrus", "logrus-json":
		lr := logrus.New()
		lr.SetOutput(f)
		lr.SetLevel(logrus.TraceLevel)
		if mode == "logrus-json" {
			lr.SetFormatter(&logrus.JSONFormatter{})
		}
		fields := func(kv []interface{}) logrus.Fields {
			fl := logrus.Fields{}
			for i := 0; i+1 < len(kv); i += 2 {
				fl[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return fl
		}
		L = logger{info: func(m string, kv ...interface{}) { lr.WithFields(fields(kv)).Info(m) },
			warn:   func(m string, kv ...interface{}) { lr.WithFields(fields(kv)).Warn(m) },
			errorf: func(m string, kv ...interface{}) { lr.WithFields(fields(kv)).Error(m) },
			debug:  func(m string, kv ...interface{}) { lr.WithFields(fields(kv)).Debug(m) },
			fatal: func(m string, kv ...interface{}) {
				defer func() { recover() }()
				lr.WithFields(fields(kv)).Panic(m)
			}}
		lr.Trace("trace logging enabled")
		w := lr.WriterLevel(logrus.ErrorLevel)
		errLog = log.New(w, "", 0)
	case "zap":
		cfg := zap.NewProductionConfig()
		cfg.OutputPaths = []string{file}
		cfg.ErrorOutputPaths = []string{file}
		cfg.Level = zap.NewAtomicLevelAt(zap.DebugLevel)
		z, _ := cfg.Build()
		s := z.Sugar()
		L = logger{info: s.Infow, warn: s.Warnw, errorf: s.Errorw, debug: s.Debugw,
			fatal: s.DPanicw}
		errLog, _ = zap.NewStdLogAt(z, zap.ErrorLevel)
		defer z.Sync()
	default:
		panic("unknown mode " + mode)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code := 200
		switch r.URL.Path {
		case "/":
			io.WriteString(w, "hello\n")
		case "/boom":
			var m map[string]int
			m["orders"]++ // panics: assignment to entry in nil map
		case "/db":
			c, err := net.DialTimeout("tcp", "127.0.0.1:5999", time.Second)
			if err != nil {
				L.errorf("database ping failed", "addr", "127.0.0.1:5999", "err", err)
				code = 503
				http.Error(w, "db down", code)
			} else {
				c.Close()
			}
		case "/login":
			L.warn("failed login", "user", "admin", "remote", r.RemoteAddr)
			code = 401
			http.Error(w, "no", code)
		default:
			L.debug("no route", "path", r.URL.Path)
			code = 404
			http.NotFound(w, r)
		}
		L.info("request", "method", r.Method, "path", r.URL.Path, "status", code,
			"duration", time.Since(start))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: mux, ErrorLog: errLog}
	go srv.Serve(ln)
	addr := ln.Addr().String()
	L.info("listening", "addr", addr)
	for _, p := range []string{"/", "/missing", "/", "/db", "/boom", "/", "/login", "/favicon.ico",
		"/", "/db", "/", "/", "/api/v1/orders", "/", "/login", "/"} {
		resp, err := http.Get("http://" + addr + p)
		if err != nil {
			L.warn("client request failed", "path", p, "err", err)
			continue
		}
		resp.Body.Close()
	}
	L.fatal("too many database failures, shutting down", "failures", 2)
	srv.Close()
	L.info("server stopped")
	if mode == "klog" {
		klog.Flush()
	}
}
