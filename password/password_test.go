package password

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// testParams are cheap parameters for tests that are not about the parameters.
var testParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerifyRoundTrip(t *testing.T) {
	h := New(WithParams(testParams))
	tests := []struct {
		name     string
		password string
	}{
		{"empty", ""},
		{"ascii", "correct horse battery staple"},
		{"unicode", "pässwörd 密码 🔑"},
		{"long", strings.Repeat("x", 4096)},
		{"nul byte", "a\x00b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := h.Hash(t.Context(), tc.password)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if !strings.HasPrefix(encoded, "$argon2id$v=19$m=64,t=1,p=1$") {
				t.Errorf("Hash = %q, want prefix $argon2id$v=19$m=64,t=1,p=1$", encoded)
			}
			ok, rehash, err := h.Verify(t.Context(), tc.password, encoded)
			if err != nil || !ok || rehash {
				t.Errorf("Verify(right password) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
			ok, rehash, err = h.Verify(t.Context(), tc.password+"!", encoded)
			if err != nil || ok || rehash {
				t.Errorf("Verify(wrong password) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	h := New(WithParams(testParams))
	a, err := h.Hash(t.Context(), "same")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(t.Context(), "same")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of one password are equal: %q", a)
	}
}

func TestKnownAnswer(t *testing.T) {
	// Vectors from the reference C implementation (the argon2 command of phc-winner-argon2):
	//   echo -n PASSWORD | argon2 SALT -id -t T -k M -p 1 -l 32 -e
	tests := []struct {
		name     string
		password string
		salt     string
		params   Params
		want     string
	}{
		{
			name:     "OWASP parameters",
			password: "password",
			salt:     "somesaltsomesalt",
			params:   DefaultParams,
			want:     "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
		},
		{
			name:     "small memory",
			password: "correct horse battery staple",
			salt:     "authgate-salt-16",
			params:   Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
			want:     "$argon2id$v=19$m=64,t=2,p=1$YXV0aGdhdGUtc2FsdC0xNg$hK/EEOVtybpR2d+UEr4fxTEx6RxGQCIXsgct+GMMIgM",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.params
			key := argon2.IDKey([]byte(tc.password), []byte(tc.salt), p.Time, p.Memory, p.Threads, p.KeyLen)
			if got := (phc{params: p, salt: []byte(tc.salt), key: key}).encode(); got != tc.want {
				t.Errorf("encoded = %q\nwant      %q", got, tc.want)
			}
			h := New(WithParams(p))
			ok, rehash, err := h.Verify(t.Context(), tc.password, tc.want)
			if err != nil || !ok || rehash {
				t.Errorf("Verify(reference hash) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
		})
	}

	// Hash's own output agrees with argon2.IDKey called directly on its salt.
	h := New(WithParams(testParams))
	encoded, err := h.Hash(t.Context(), "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	d, err := decode(encoded)
	if err != nil {
		t.Fatalf("decode(%q): %v", encoded, err)
	}
	want := argon2.IDKey([]byte("hunter2"), d.salt, testParams.Time, testParams.Memory, testParams.Threads, testParams.KeyLen)
	if string(d.key) != string(want) || d.params != testParams {
		t.Errorf("Hash = %q; key or params differ from argon2.IDKey on the same salt", encoded)
	}
}

func TestVerifyMalformed(t *testing.T) {
	const (
		salt = "c29tZXNhbHRzb21lc2FsdA"                      // 16 bytes
		key  = "K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE" // 32 bytes
	)
	tests := []struct {
		name    string
		encoded string
		params  bool // the error also wraps ErrInvalidParams
	}{
		{"empty", "", false},
		{"garbage", "not a hash", false},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, false},
		{"argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key, false},
		{"version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, false},
		{"no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key, false},
		{"missing hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt, false},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$", false},
		{"no leading $", "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key, false},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key, false},
		{"missing param", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key, false},
		{"extra param", "$argon2id$v=19$m=64,t=1,p=1,k=2$" + salt + "$" + key, false},
		{"empty param", "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + key, false},
		{"negative param", "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key, false},
		{"plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key, false},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key, false},
		{"hex param", "$argon2id$v=19$m=0x40,t=1,p=1$" + salt + "$" + key, false},
		{"memory overflows uint32", "$argon2id$v=19$m=4294967296,t=1,p=1$" + salt + "$" + key, false},
		{"threads overflow uint8", "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key, false},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key, false},
		{"url-safe alphabet", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.ReplaceAll(key, "+", "-"), false},
		{"non-canonical base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt[:len(salt)-1] + "B$" + key, false},
		{"line break in salt", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNh\nbHRzb21lc2FsdA$" + key, false},
		{"too long", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 300), false},
		{"memory above 4 GiB", "$argon2id$v=19$m=4194305,t=1,p=1$" + salt + "$" + key, true},
		{"memory below 8p", "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + key, true},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key, true},
		{"time above 100", "$argon2id$v=19$m=64,t=101,p=1$" + salt + "$" + key, true},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key, true},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key, true},
		{"empty salt", "$argon2id$v=19$m=64,t=1,p=1$$" + key, true},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAAAAAAAAAAAAAAAAAA", true},
		{"long key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 88), true},
	}
	h := New(WithParams(testParams))
	h.derive = func([]byte, []byte, Params) []byte {
		t.Error("derive called for a malformed hash")
		return nil
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(t.Context(), "password", tc.encoded)
			if !errors.Is(err, ErrMalformedHash) || ok || rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v; want false, false, ErrMalformedHash", tc.encoded, ok, rehash, err)
			}
			if got := errors.Is(err, ErrInvalidParams); got != tc.params {
				t.Errorf("errors.Is(%v, ErrInvalidParams) = %v, want %v", err, got, tc.params)
			}
		})
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	tests := []struct {
		name   string
		stored Params
		want   bool
	}{
		{"same", testParams, false},
		{"less memory", Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more memory", Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more time", Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"more threads", Params{Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, true},
		{"shorter salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32}, true},
		{"shorter key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16}, true},
	}
	h := New(WithParams(testParams))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			encoded, err := New(WithParams(tc.stored)).Hash(t.Context(), "pw")
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := h.Verify(t.Context(), "pw", encoded)
			if err != nil || !ok || rehash != tc.want {
				t.Errorf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, tc.want)
			}
			// A wrong password never asks for a rehash: the caller has nothing to rehash.
			if ok, rehash, err := h.Verify(t.Context(), "wrong", encoded); err != nil || ok || rehash {
				t.Errorf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestHashInvalidParams(t *testing.T) {
	tests := []struct {
		name   string
		params Params
	}{
		{"zero", Params{}},
		{"zero threads", Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}},
		{"huge memory", Params{Memory: maxMemory + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		{"short salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32}},
		{"short key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := New(WithParams(tc.params))
			if _, err := h.Hash(t.Context(), "pw"); !errors.Is(err, ErrInvalidParams) {
				t.Errorf("Hash with %+v: err = %v, want ErrInvalidParams", tc.params, err)
			}
			h.VerifyDummy(t.Context(), "pw") // must not panic
		})
	}
	if err := DefaultParams.Validate(); err != nil {
		t.Errorf("DefaultParams.Validate() = %v", err)
	}
}

// instrument replaces h's key derivation with one that records how many run at once and
// blocks until release is closed. Each derivation sends on the returned channel as it starts.
func instrument(h *Hasher, release <-chan struct{}) (started <-chan Params, maxInFlight func() int32) {
	var inFlight, peak atomic.Int32
	ch := make(chan Params, 100)
	h.derive = func(password, salt []byte, p Params) []byte {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := peak.Load()
			if n <= m || peak.CompareAndSwap(m, n) {
				break
			}
		}
		ch <- p
		<-release
		return make([]byte, p.KeyLen)
	}
	return ch, peak.Load
}

func TestConcurrencyBound(t *testing.T) {
	const limit, callers = 2, 8
	h := New(WithParams(testParams), WithConcurrency(limit))
	release := make(chan struct{})
	started, peak := instrument(h, release)

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			_, err := h.Hash(context.Background(), "pw")
			errs <- err
		})
	}
	for range limit {
		<-started
	}
	// The limit is reached; no further derivation may start while those two are held.
	select {
	case <-started:
		t.Errorf("a derivation started beyond the limit of %d", limit)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Hash: %v", err)
		}
	}
	if got := peak(); got != limit {
		t.Errorf("peak concurrent derivations = %d, want %d", got, limit)
	}
}

func TestContextEndsWhileWaiting(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"canceled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := New(WithParams(testParams), WithConcurrency(1))
			release := make(chan struct{})
			started, _ := instrument(h, release)
			done := make(chan struct{})
			go func() {
				defer close(done)
				if _, err := h.Hash(context.Background(), "holder"); err != nil {
					t.Errorf("holder Hash: %v", err)
				}
			}()
			<-started // the only slot is taken

			ctx, cancel := tc.ctx()
			defer cancel()
			encoded := "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE"
			verifyErr := make(chan error, 1)
			go func() {
				_, _, err := h.Verify(ctx, "pw", encoded)
				verifyErr <- err
			}()
			hashErr := make(chan error, 1)
			go func() {
				_, err := h.Hash(ctx, "pw")
				hashErr <- err
			}()
			if tc.want == context.Canceled {
				cancel()
			}
			for name, ch := range map[string]chan error{"Verify": verifyErr, "Hash": hashErr} {
				select {
				case err := <-ch:
					if !errors.Is(err, tc.want) {
						t.Errorf("%s while waiting: err = %v, want %v", name, err, tc.want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s did not return after its context ended", name)
				}
			}
			close(release)
			<-done
		})
	}
}

func TestContextAlreadyDone(t *testing.T) {
	h := New(WithParams(testParams)) // slots are free: the canceled context must still win
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Hash with canceled ctx: err = %v, want context.Canceled", err)
		}
	}
}

func TestVerifyDummy(t *testing.T) {
	h := New(WithParams(testParams))
	var calls []Params
	var salts []string
	var mu sync.Mutex
	h.derive = func(password, salt []byte, p Params) []byte {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, p)
		salts = append(salts, string(salt))
		return idKey(password, salt, p)
	}
	for range 3 {
		h.VerifyDummy(t.Context(), "whatever")
	}
	if len(calls) != 3 {
		t.Fatalf("VerifyDummy ran %d derivations for 3 calls, want 3", len(calls))
	}
	for i, p := range calls {
		if p != testParams {
			t.Errorf("call %d derived with %+v, want the hasher's %+v", i, p, testParams)
		}
		if salts[i] != salts[0] {
			t.Errorf("call %d used another dummy hash; want one made once", i)
		}
	}
}

func FuzzVerify(f *testing.F) {
	for _, s := range []string{
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
		"$argon2id$v=19$m=4194304,t=100,p=255$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=8,t=1,p=1$$",
		"$$$$$",
		"",
	} {
		f.Add("password", s)
	}
	h := New(WithParams(testParams))
	// Run argon2 for real when the stored cost is small; above that only the parsing is under
	// test, and a stand-in key keeps each input fast.
	h.derive = func(password, salt []byte, p Params) []byte {
		if p.Memory <= 1024 && p.Time <= 4 {
			return idKey(password, salt, p)
		}
		return make([]byte, p.KeyLen)
	}
	f.Fuzz(func(t *testing.T, password, encoded string) {
		ok, rehash, err := h.Verify(context.Background(), password, encoded)
		if err != nil {
			if ok || rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v: ok or needsRehash with an error", encoded, ok, rehash, err)
			}
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify(%q) error %v does not wrap ErrMalformedHash", encoded, err)
			}
			return
		}
		// Whatever decodes is canonical: it re-encodes to the very same string.
		d, err := decode(encoded)
		if err != nil {
			t.Fatalf("Verify accepted %q but decode fails: %v", encoded, err)
		}
		if got := d.encode(); got != encoded {
			t.Fatalf("decode(%q) re-encodes to %q", encoded, got)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	h := New() // DefaultParams: the cost of one login
	for b.Loop() {
		if _, err := h.Hash(b.Context(), "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
