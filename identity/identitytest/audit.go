package identitytest

import (
	"testing"
	"time"

	"github.com/authgate/authgate/identity"
)

func testAudit(t *testing.T, newStore func(t *testing.T) identity.Store) {
	t.Run("AppendAndRecent", func(t *testing.T) {
		s := newStore(t)
		base := time.Unix(1_800_000_000, 0).UTC()
		events := []*identity.AuditEvent{
			{At: base, Kind: "login", Subject: "a", Username: "alice", IP: "198.51.100.7", Detail: map[string]string{"strategy": "session"}},
			{At: base.Add(time.Second), Kind: "login_failed", Username: "nobody", IP: "203.0.113.9"},
			{At: base.Add(2 * time.Second), Kind: "logout", Subject: "a", Username: "alice"},
		}
		for _, e := range events {
			wantErr(t, "AppendAudit", s.AppendAudit(t.Context(), e), nil)
			if e.ID == 0 {
				t.Fatal("AppendAudit set no ID")
			}
		}
		got, err := s.RecentAudit(t.Context(), "", 10)
		wantErr(t, "RecentAudit", err, nil)
		if len(got) != 3 || got[0].Kind != "logout" || got[2].Kind != "login" {
			t.Fatalf("RecentAudit = %+v", got)
		}
		if got[2].Detail["strategy"] != "session" || !got[2].At.Equal(base) || got[2].IP != "198.51.100.7" {
			t.Errorf("first event read back as %+v", got[2])
		}
		if got[1].Detail == nil {
			t.Error("empty detail read back as nil")
		}
		mine, err := s.RecentAudit(t.Context(), "a", 10)
		wantErr(t, "RecentAudit(subject)", err, nil)
		if len(mine) != 2 {
			t.Errorf("events of subject a = %d, want 2", len(mine))
		}
		if limited, _ := s.RecentAudit(t.Context(), "", 1); len(limited) != 1 || limited[0].Kind != "logout" {
			t.Errorf("limit 1 = %+v", limited)
		}
	})
}
