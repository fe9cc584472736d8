// Command fakebotmaker serves the fake Botmaker API v2.0 (package
// internal/fakebotmaker) on a TCP address for end-to-end tests and demos.
//
//	go run ./internal/cmd/fakebotmaker -addr 127.0.0.1:0 -seed 1 [-token T]
//	    [-scale F] [-messages N -chats N ...] [-rate-limits] [-retry-after]
//	    [-fault-rate F -fault-seed N -fault-kinds 500,slow]
//	    [-client-id ID -secret-id S -refresh-token R] [-token-expire-after N]
//	    [-token-expire-at RFC3339] [-auth-fault refuse|malformed] [-v]
//
// Once listening it prints exactly one line to stdout:
//
//	{"url":"http://127.0.0.1:PORT/v2.0","control":"http://127.0.0.1:PORT/_control"}
//
// and serves until SIGINT/SIGTERM, then exits 0. Logs go to stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/source-botmaker/source-botmaker/internal/fakebotmaker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "fakebotmaker:", err)
		os.Exit(2)
	}
}

// run parses args, serves until ctx is done and returns nil on a clean stop.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakebotmaker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	seed := fs.Int64("seed", 1, "data seed")
	token := fs.String("token", "", "accepted access-token (default "+fakebotmaker.DefaultToken+")")
	now := fs.String("now", "", "server clock at start, RFC 3339 (default: real now)")
	history := fs.Int("history-days", 90, "days of generated history")
	scale := fs.Float64("scale", 1, "multiply every default count by this factor (explicit counts win)")
	largeEvery := fs.Int("large-text-every", 0, "every Nth message has a ~10 KB text (0: never)")
	rateLimits := fs.Bool("rate-limits", false, "enforce the documented per-endpoint rate limits")
	retryAfter := fs.Bool("retry-after", false, "send Retry-After: 1 on 429s")
	faultRate := fs.Float64("fault-rate", 0, "share of list requests that get an injected fault (0..1)")
	faultSeed := fs.Int64("fault-seed", 1, "fault RNG seed")
	faultKinds := fs.String("fault-kinds", "", "comma-separated fault kinds: 500,502,503,truncated,slow,429 (default all)")
	slowDelay := fs.Duration("slow-delay", 2*time.Second, "delay of the slow fault")
	clientID := fs.String("client-id", "", "client id accepted by POST /auth/credentials (default "+fakebotmaker.DefaultClientID+")")
	secretID := fs.String("secret-id", "", "secret id accepted by POST /auth/credentials (default "+fakebotmaker.DefaultSecretID+")")
	refreshToken := fs.String("refresh-token", "", "first refresh token (default "+fakebotmaker.DefaultRefreshToken+")")
	expireAfter := fs.Int("token-expire-after", 0, "the starting access token stops working after N accepted requests (0: never)")
	expireAt := fs.String("token-expire-at", "", "the starting access token stops working at this server time, RFC 3339")
	authFault := fs.String("auth-fault", "", "every refresh fails: refuse (401) or malformed (body without refreshToken)")
	qf := addQuirkFlags(fs)
	verbose := fs.Bool("v", false, "log every request (method, path, status) to stderr")
	counts := map[string]*int{}
	for _, e := range fakebotmaker.Endpoints {
		counts[e.Name] = fs.Int(e.Name, 0, "number of generated "+e.Name+" (0: default × scale)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *scale <= 0 || *faultRate < 0 || *faultRate > 1 {
		return errors.New("-scale must be > 0 and -fault-rate within 0..1")
	}

	cfg := fakebotmaker.Config{
		Token: *token, Seed: *seed, HistoryDays: *history, LargeTextEvery: *largeEvery,
		RateLimits: *rateLimits, RetryAfter: *retryAfter,
		Faults: fakebotmaker.Faults{Rate: *faultRate, Seed: *faultSeed, SlowDelay: *slowDelay},
		Auth: fakebotmaker.Auth{ClientID: *clientID, SecretID: *secretID, RefreshToken: *refreshToken,
			ExpireAfter: *expireAfter, Fault: fakebotmaker.AuthFault(*authFault)},
	}
	quirks, err := qf.quirks()
	if err != nil {
		return err
	}
	cfg.Quirks = quirks
	switch cfg.Auth.Fault {
	case "", fakebotmaker.AuthRefuse, fakebotmaker.AuthMalformed:
	default:
		return fmt.Errorf("unknown -auth-fault %q (refuse, malformed)", *authFault)
	}
	if *expireAt != "" {
		t, err := time.Parse(time.RFC3339Nano, *expireAt)
		if err != nil {
			return fmt.Errorf("-token-expire-at: %w", err)
		}
		cfg.Auth.ExpireAt = t
	}
	if *now != "" {
		t, err := time.Parse(time.RFC3339Nano, *now)
		if err != nil {
			return fmt.Errorf("-now: %w", err)
		}
		cfg.Now = t
	}
	for _, k := range strings.Split(*faultKinds, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		ok := false
		for _, known := range fakebotmaker.AllFaultKinds {
			ok = ok || string(known) == k
		}
		if !ok {
			return fmt.Errorf("unknown fault kind %q", k)
		}
		cfg.Faults.Kinds = append(cfg.Faults.Kinds, fakebotmaker.FaultKind(k))
	}
	cfg.Counts = fakebotmaker.Counts{}
	for name, v := range counts {
		cfg.Counts[name] = *v
		if *v <= 0 {
			cfg.Counts[name] = max(1, int(math.Round(float64(fakebotmaker.DefaultCounts[name])**scale)))
		}
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	fake := fakebotmaker.NewHandler(cfg)
	var h http.Handler = fake
	if *verbose {
		h = logRequests(logger, fake)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	line, _ := json.Marshal(struct {
		URL     string `json:"url"`
		Control string `json:"control"`
	}{base + "/v2.0", base + "/_control"})
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		ln.Close()
		return err
	}
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	logger.Info("fake Botmaker API listening", "url", base+"/v2.0", "seed", *seed, "counts", fmt.Sprintf("%+v", cfg.Counts),
		"now", fake.Now().Format(time.RFC3339), "rateLimits", *rateLimits, "faultRate", *faultRate)

	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logRequests logs method, path, query and status; never headers (the
// access-token must not reach logs).
func logRequests(l *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sr := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sr, r)
		l.Info("request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery, "status", sr.status, "took", time.Since(start).Round(time.Microsecond))
	})
}
