package mfa

import (
	"bytes"
	"encoding/base32"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// RFC 6238 Appendix B, SHA-1 column: the 20-byte ASCII secret "12345678901234567890" and
// 8-digit codes. Our parameters are 6 digits, which are the last six of these.
func TestRFC6238AppendixB(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	vectors := []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	}
	for _, v := range vectors {
		got, err := totp.GenerateCodeCustom(secret, time.Unix(v.unix, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsEight, Algorithm: otp.AlgorithmSHA1})
		if err != nil || got != v.code {
			t.Errorf("T=%d: 8-digit code %q, %v; want %s", v.unix, got, err, v.code)
		}
		six, err := Code(secret, Step(time.Unix(v.unix, 0)))
		if err != nil || six != v.code[2:] {
			t.Errorf("T=%d: our code %q, %v; want %s", v.unix, six, err, v.code[2:])
		}
		if step, err := Match(secret, v.code[2:], time.Unix(v.unix, 0)); err != nil || step != v.unix/30 {
			t.Errorf("T=%d: Match = %d, %v", v.unix, step, err)
		}
	}
}

func TestMatchAllowsOneStepOfSkew(t *testing.T) {
	e, err := NewSecret("authgate", "alice")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_015, 0)
	for offset, wantOK := range map[int64]bool{-2: false, -1: true, 0: true, 1: true, 2: false} {
		code, _ := Code(e.Secret, Step(now)+offset)
		step, err := Match(e.Secret, code, now)
		if ok := err == nil; ok != wantOK || ok && step != Step(now)+offset {
			t.Errorf("offset %d: step %d err %v", offset, step, err)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, err := Match(e.Secret, bad, now); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("Match(%q) = %v", bad, err)
		}
	}
}

func TestEnrollmentURLAndQRCode(t *testing.T) {
	e, err := NewSecret("authgate", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Secret) != 32 || !strings.HasPrefix(e.URL, "otpauth://totp/authgate:alice?") ||
		!strings.Contains(e.URL, "secret="+e.Secret) || !strings.Contains(e.URL, "period=30") || !strings.Contains(e.URL, "digits=6") {
		t.Errorf("enrollment %+v", e)
	}
	if again, err := URL("authgate", "alice", e.Secret); err != nil || again != e.URL {
		t.Errorf("URL from the secret = %q, %v; want %q", again, err, e.URL)
	}
	img, err := QRCode(e.URL, 200)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(bytes.NewReader(img))
	if err != nil || decoded.Bounds().Dx() != 200 {
		t.Fatalf("QR code is not a 200px PNG: %v", err)
	}
	if _, err := QRCode("not a url", 200); err == nil {
		t.Error("QRCode accepted garbage")
	}
}
