package mfa

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Period is the length of one TOTP time step.
const Period = 30 * time.Second

// opts are the parameters authenticator apps expect: SHA-1, 6 digits, 30 seconds.
var opts = totp.ValidateOpts{Period: uint(Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Enrollment is a new secret and the otpauth:// URL an authenticator app scans.
type Enrollment struct {
	Secret string
	URL    string
}

// NewSecret returns a 160-bit secret for the account, labelled with issuer in apps.
func NewSecret(issuer, account string) (Enrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: opts.Period, SecretSize: 20,
		Digits: opts.Digits, Algorithm: opts.Algorithm,
	})
	if err != nil {
		return Enrollment{}, fmt.Errorf("generate totp secret: %w", err)
	}
	return Enrollment{Secret: key.Secret(), URL: key.URL()}, nil
}

// URL returns the otpauth:// URL of an existing base32 secret.
func URL(issuer, account, secret string) (string, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(secret))
	if err != nil {
		return "", fmt.Errorf("decode totp secret: %w", err)
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: opts.Period, Secret: raw,
		Digits: opts.Digits, Algorithm: opts.Algorithm,
	})
	if err != nil {
		return "", fmt.Errorf("totp url: %w", err)
	}
	return key.URL(), nil
}

// QRCode renders the otpauth URL as a PNG QR code of size×size pixels.
func QRCode(url string, size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse otpauth url: %w", err)
	}
	if key.Type() != "totp" || key.Secret() == "" {
		return nil, fmt.Errorf("parse otpauth url: not an otpauth://totp/ URL with a secret")
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("render qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode qr code: %w", err)
	}
	return buf.Bytes(), nil
}

// Step returns the time step that t falls in.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// Code returns the code of the secret for a time step.
func Code(secret string, step int64) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(step*int64(Period/time.Second), 0), opts)
}

// Match returns the time step whose code is code, looking at the current step and one step
// either side for clock skew. The caller must still refuse a step at or before the last one
// accepted, so a code works once.
func Match(secret, code string, now time.Time) (int64, error) {
	if len(code) != 6 {
		return 0, ErrInvalidCode
	}
	current := Step(now)
	found := int64(-1)
	// Compare every candidate, in constant time, so timing tells nothing about which matched.
	for _, step := range []int64{current - 1, current, current + 1} {
		want, err := Code(secret, step)
		if err != nil {
			return 0, fmt.Errorf("totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = step
		}
	}
	if found < 0 {
		return 0, ErrInvalidCode
	}
	return found, nil
}
