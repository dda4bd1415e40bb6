package redis_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testenv"
	"github.com/authgate/authgate/session"
	"github.com/authgate/authgate/store/redis"
)

// TestClusterUsers spreads many users' sessions over the three masters, each user's keys on
// one of them (the {subject} hash tag), and checks that DeleteAll is one atomic step per user
// even while sessions are being created for that user.
func TestClusterUsers(t *testing.T) {
	env := testenv.Cluster(t)
	st := redis.NewSessionStore(open(t, env.URL()))
	ctx := context.Background()

	const users, perUser = 60, 3
	byUser := map[string][]*session.Session{}
	for range users {
		subject := newSubject()
		for range perUser {
			s := newSession(subject, time.Now())
			mustCreate(t, st, s)
			byUser[subject] = append(byUser[subject], s)
		}
	}
	// Each user's keys live on exactly one node; every node holds some users.
	perNode := map[string]int{}
	for subject, ss := range byUser {
		var home string
		for _, n := range env.Nodes() {
			keys := []string{"EXISTS", st.IndexKey(subject)}
			for _, s := range ss {
				keys = append(keys, st.RecordKey(subject, s.ID))
			}
			got, err := n.Do(keys...)
			if err != nil && strings.HasPrefix(err.Error(), "MOVED") {
				continue // the user's slot is another node's
			}
			switch got {
			case int64(0):
			case int64(perUser + 1):
				if home != "" {
					t.Fatalf("user %s on %s and %s", subject, home, n.Addr())
				}
				home = n.Addr()
			default:
				t.Fatalf("user %s split: %v of %d keys on %s", subject, got, perUser+1, n.Addr())
			}
		}
		perNode[home]++
	}
	t.Logf("%d users per node: %v", users, perNode)
	if len(perNode) != 3 {
		t.Errorf("users on %d nodes, want all 3", len(perNode))
	}

	// DeleteAll races Creates for the same user: a session is either created before it (then
	// deleted and counted) or after (then kept): never half of one, never miscounted.
	for subject, old := range byUser {
		fresh := make([]*session.Session, 5)
		for i := range fresh {
			fresh[i] = newSession(subject, time.Now())
		}
		var wg sync.WaitGroup
		var n int
		var delErr error
		wg.Go(func() { n, delErr = st.DeleteAll(ctx, subject) })
		for _, s := range fresh {
			wg.Go(func() {
				if err := st.Create(ctx, s); err != nil {
					t.Errorf("Create: %v", err)
				}
			})
		}
		wg.Wait()
		if delErr != nil {
			t.Fatalf("DeleteAll: %v", delErr)
		}
		kept := map[string]bool{}
		for _, s := range fresh {
			_, ok, err := st.Find(ctx, subject, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			kept[s.ID] = ok
		}
		for _, s := range old {
			if _, ok, _ := st.Find(ctx, subject, s.ID); ok {
				t.Errorf("session %s survived DeleteAll", s.ID)
			}
		}
		survivors := 0
		for _, ok := range kept {
			if ok {
				survivors++
			}
		}
		if want := len(old) + len(fresh) - survivors; n != want {
			t.Errorf("DeleteAll = %d, want %d (%d old, %d of %d new survived)", n, want, len(old), survivors, len(fresh))
		}
		list, err := st.List(ctx, subject)
		if err != nil || len(list) != survivors {
			t.Errorf("List = %d sessions, %v; want the %d survivors", len(list), err, survivors)
		}
		for _, l := range list {
			if !kept[l.ID] {
				t.Errorf("List shows %s, which is gone", l.ID)
			}
		}
	}
}
