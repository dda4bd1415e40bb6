package sessiontest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/session"
)

const goroutines = 16

// together runs fn(i) for i in [0, goroutines) in goroutines released at the same moment,
// and returns their errors by i.
func together(fn func(i int) error) []error {
	errs := make([]error, goroutines)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// testConcurrency has every goroutine create, touch and delete sessions of one shared user and
// of its own user at once, touch one shared session, and race a logout of another: afterwards
// each user's index must hold exactly the sessions that remain.
func testConcurrency(t *testing.T, newStore func(t *testing.T) session.Store) {
	st := newStore(t)
	ctx := t.Context()
	shared := newSubject()
	t0 := now()

	// hot is touched by every goroutine; doomed is deleted by goroutine 0 while the others
	// touch it, and must stay deleted whichever comes first.
	hot, doomed := newSession(shared, t0.Add(-2*time.Hour)), newSession(shared, t0.Add(-2*time.Hour-time.Millisecond))
	for _, s := range []*session.Session{hot, doomed} {
		s.LastSeenAt = t0
		mustCreate(t, st, s)
	}

	type work struct {
		own     string
		a       [3]*session.Session // the shared user's: a[0] touched, a[1] deleted, a[2] left alone
		b       [2]*session.Session // its own user's: b[0] touched, b[1] deleted
		touchAt time.Time
	}
	ws := make([]work, goroutines)
	for i := range ws {
		w := &ws[i]
		w.own = newSubject()
		for j := range w.a {
			// Distinct creation times, so "newest first" has one answer.
			w.a[j] = newSession(shared, t0.Add(-time.Hour-time.Duration(i*len(w.a)+j)*time.Millisecond))
			w.a[j].LastSeenAt = t0
		}
		for j := range w.b {
			w.b[j] = newSession(w.own, t0.Add(-time.Hour-time.Duration(j)*time.Millisecond))
			w.b[j].LastSeenAt = t0
		}
		w.touchAt = t0.Add(time.Duration(i+1) * time.Millisecond)
	}

	errs := together(func(i int) error {
		w := &ws[i]
		for _, s := range append(w.a[:], w.b[:]...) {
			if err := st.Create(ctx, s); err != nil {
				return fmt.Errorf("Create: %w", err)
			}
		}
		for _, s := range []*session.Session{w.a[0], w.b[0], hot} {
			if err := st.Touch(ctx, s.Subject, s.ID, w.touchAt); err != nil {
				return fmt.Errorf("Touch: %w", err)
			}
		}
		if i == 0 {
			if err := st.Delete(ctx, shared, doomed.ID); err != nil {
				return fmt.Errorf("Delete doomed: %w", err)
			}
		} else if err := st.Touch(ctx, shared, doomed.ID, w.touchAt); err != nil {
			return fmt.Errorf("Touch doomed: %w", err)
		}
		for _, s := range []*session.Session{w.a[1], w.b[1]} {
			if err := st.Delete(ctx, s.Subject, s.ID); err != nil {
				return fmt.Errorf("Delete: %w", err)
			}
			// A request racing the logout must not bring the session back.
			if err := st.Touch(ctx, s.Subject, s.ID, w.touchAt); err != nil {
				return fmt.Errorf("Touch deleted: %w", err)
			}
		}
		if i%2 == 1 {
			n, err := st.DeleteAll(ctx, w.own)
			if err != nil {
				return fmt.Errorf("DeleteAll: %w", err)
			}
			if n != 1 {
				return fmt.Errorf("DeleteAll = %d, want 1", n)
			}
		}
		return nil
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: %v", i, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// The shared user keeps a[0] (touched) and a[2] of every goroutine, and hot.
	var want []*session.Session
	for i := range ws {
		a0 := *ws[i].a[0]
		a0.LastSeenAt = ws[i].touchAt
		want = append(want, &a0, ws[i].a[2])
	}
	slices.SortFunc(want, func(x, y *session.Session) int { return y.CreatedAt.Compare(x.CreatedAt) })
	list := mustList(t, st, shared)
	if len(list) == len(want)+1 && list[len(list)-1].ID == hot.ID {
		h := list[len(list)-1]
		if !slices.ContainsFunc(ws, func(w work) bool { return h.LastSeenAt.Equal(w.touchAt) }) {
			t.Errorf("hot session LastSeenAt = %v, want one of the touches", h.LastSeenAt)
		}
		list = list[:len(list)-1]
	} else {
		t.Errorf("List(shared) = %d sessions, want %d ending with the hot session %s", len(list), len(want)+1, hot.ID)
	}
	wantList(t, "List(shared)", list, want...)
	wantMissing(t, st, shared, doomed.ID)

	for i, w := range ws {
		wantMissing(t, st, shared, w.a[1].ID)
		wantMissing(t, st, w.own, w.b[1].ID)
		if i%2 == 1 {
			wantList(t, fmt.Sprintf("List(own %d) after DeleteAll", i), mustList(t, st, w.own))
			continue
		}
		b0 := *w.b[0]
		b0.LastSeenAt = w.touchAt
		wantList(t, fmt.Sprintf("List(own %d)", i), mustList(t, st, w.own), &b0)
	}
}
