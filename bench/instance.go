package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/authgate/authgate/config"
	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/internal/app"
)

// Instance is one authgate the bench talks to over HTTP: started in-process on a loopback
// port (App set), or a running deployment (App nil).
type Instance struct {
	// Name labels the instance in results ("A", "B", ...).
	Name string
	// URL is the instance's base URL, http://127.0.0.1:port for one started here.
	URL string
	// App is the in-process instance, nil for a remote one.
	App *app.App
	// Paths are the request paths of its jwt, session and hybrid routes; zero means
	// DemoPaths.
	Paths Paths

	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}

	// login is how credentials are obtained from a remote instance.
	login *remoteLogin

	mu       sync.Mutex
	revUsers []*identity.User // users for revocation rounds, made once (revocationUsers)
}

// remoteLogin is a user's name and password on a remote deployment.
type remoteLogin struct{ username, password string }

// newServer is the HTTP server configuration authgate serve uses, for authgate instances and
// the bare handler alike.
func newServer(h http.Handler, maxHeader int) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    maxHeader,
		ErrorLog:          slog.NewLogLogger(slog.DiscardHandler, slog.LevelWarn),
	}
}

// serveLoopback serves h on a free loopback port and returns the server and its base URL.
func serveLoopback(h http.Handler, maxHeader int) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("listen on loopback: %w", err)
	}
	srv := newServer(h, maxHeader)
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// StartInstance builds an authgate instance from cfg (app.New with opts), runs its background
// work and serves it on a free loopback port. Close stops it.
func StartInstance(ctx context.Context, name string, cfg config.Config, opts ...app.Option) (*Instance, error) {
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler), opts...)
	if err != nil {
		return nil, fmt.Errorf("instance %s: %w", name, err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	in := &Instance{Name: name, App: a, cancel: cancel, done: make(chan struct{})}
	go func() { a.Run(runCtx); close(in.done) }()
	in.srv, in.URL, err = serveLoopback(a.Handler(), cfg.Limits.MaxHeaderBytes)
	if err != nil {
		in.Close()
		return nil, fmt.Errorf("instance %s: %w", name, err)
	}
	return in, nil
}

// RemoteInstance is a running deployment at baseURL, on which the bench logs in as username.
func RemoteInstance(name, baseURL, username, password string) *Instance {
	return &Instance{Name: name, URL: baseURL, login: &remoteLogin{username, password}}
}

// Close stops serving, stops the background work and closes the stores. It does nothing for
// a remote instance.
func (in *Instance) Close() error {
	if in.App == nil {
		return nil
	}
	var err error
	if in.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = in.srv.Shutdown(ctx)
		cancel()
	}
	in.cancel()
	<-in.done
	return errors.Join(err, in.App.Close())
}

// bound is the staleness bound D the instance's Redis client works to; 0 for the embedded
// store, which does not cache, and for a remote instance, where it is unknown.
func (in *Instance) bound() time.Duration {
	if in.App == nil || in.App.State.Redis == nil {
		return 0
	}
	return in.App.State.Redis.StalenessBound()
}

func (in *Instance) paths() Paths {
	if in.Paths == (Paths{}) {
		return DemoPaths
	}
	return in.Paths
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// benchPassword is the password of the users the bench creates in its own temporary store.
const benchPassword = "bench password, not a secret"

// addUser creates a user on an in-process instance with its hasher (argon2id at production
// parameters unless the instance was given another).
func (in *Instance) addUser(ctx context.Context, name string) (*identity.User, error) {
	u, err := in.App.Accounts.Add(ctx, name, benchPassword, []string{"dev"})
	if err != nil {
		return nil, fmt.Errorf("create bench user: %w", err)
	}
	return u, nil
}

// revocationUsers returns n users for revocation rounds on this (in-process) instance,
// creating the missing ones: the first through the account service (one password hash), the
// others with the same hash directly in the identity store.
func (in *Instance) revocationUsers(ctx context.Context, n int) ([]*identity.User, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.revUsers) < n {
		if len(in.revUsers) == 0 {
			u, err := in.addUser(ctx, "bench-rev-"+randomHex(6))
			if err != nil {
				return nil, err
			}
			in.revUsers = append(in.revUsers, u)
			continue
		}
		now := time.Now().UTC()
		u := &identity.User{
			Subject:      randomHex(16),
			Username:     "bench-rev-" + randomHex(6),
			PasswordHash: in.revUsers[0].PasswordHash,
			Roles:        []string{"dev"},
			CreatedAt:    now,
			UpdatedAt:    now,
		}
		if err := in.App.Identity.CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("create bench user: %w", err)
		}
		in.revUsers = append(in.revUsers, u)
	}
	return in.revUsers[:n], nil
}
