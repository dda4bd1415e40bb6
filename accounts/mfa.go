package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/authgate/authgate/identity"
	"github.com/authgate/authgate/mfa"
)

// TOTPIssuer labels authgate's entries in authenticator apps.
const TOTPIssuer = "authgate"

var (
	// ErrNoPendingMFA means a confirmation came without an enrollment to confirm.
	ErrNoPendingMFA = errors.New("no TOTP enrollment to confirm")
	// ErrMFANotEnabled means a step-up was asked of a user without a second factor.
	ErrMFANotEnabled = errors.New("TOTP is not enabled for this account")
)

// UserBySubject returns the user with the subject.
func (s *Service) UserBySubject(ctx context.Context, subject string) (*identity.User, error) {
	return s.store.UserBySubject(ctx, subject)
}

// VerifyTOTP checks a code against the user's confirmed secret. A code is accepted once, on
// every instance: its time step must be later than the last one accepted.
func (s *Service) VerifyTOTP(ctx context.Context, u *identity.User, code string) error {
	if u.TOTPSecret == "" {
		return ErrMFANotEnabled
	}
	return s.acceptCode(ctx, u.Subject, u.TOTPSecret, code)
}

func (s *Service) acceptCode(ctx context.Context, subject, secret, code string) error {
	step, err := mfa.Match(secret, code, s.now())
	if err != nil {
		return err
	}
	fresh, err := s.store.AdvanceTOTPStep(ctx, subject, step)
	if err != nil {
		return fmt.Errorf("record totp step: %w", err)
	}
	if !fresh {
		return mfa.ErrInvalidCode
	}
	return nil
}

// EnrollTOTP gives the user a new pending secret, replacing any earlier pending one. Changing
// an enabled second factor needs the password again.
func (s *Service) EnrollTOTP(ctx context.Context, u *identity.User, password string) (mfa.Enrollment, error) {
	if u.TOTPSecret != "" {
		if err := s.checkPassword(ctx, u, password); err != nil {
			return mfa.Enrollment{}, err
		}
	}
	e, err := mfa.NewSecret(TOTPIssuer, u.Username)
	if err != nil {
		return mfa.Enrollment{}, err
	}
	u.TOTPPending = e.Secret
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return mfa.Enrollment{}, fmt.Errorf("store totp enrollment: %w", err)
	}
	return e, nil
}

// PendingTOTPURL returns the otpauth URL of the user's pending enrollment.
func (s *Service) PendingTOTPURL(u *identity.User) (string, error) {
	if u.TOTPPending == "" {
		return "", ErrNoPendingMFA
	}
	return mfa.URL(TOTPIssuer, u.Username, u.TOTPPending)
}

// ConfirmTOTP turns the pending secret on with a code from it. A change of second factor ends
// every credential the user holds; the caller issues a fresh one to the confirming client.
func (s *Service) ConfirmTOTP(ctx context.Context, u *identity.User, code string) error {
	if u.TOTPPending == "" {
		return ErrNoPendingMFA
	}
	if err := s.acceptCode(ctx, u.Subject, u.TOTPPending, code); err != nil {
		return err
	}
	u.TOTPSecret, u.TOTPPending = u.TOTPPending, ""
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("enable totp: %w", err)
	}
	return s.EndAll(ctx, u.Subject)
}

// DisableTOTP removes the second factor, with the password again, and ends every credential
// the user holds.
func (s *Service) DisableTOTP(ctx context.Context, u *identity.User, password string) error {
	if err := s.checkPassword(ctx, u, password); err != nil {
		return err
	}
	u.TOTPSecret, u.TOTPPending = "", ""
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("disable totp: %w", err)
	}
	return s.EndAll(ctx, u.Subject)
}

// checkPassword re-checks the password of an authenticated user.
func (s *Service) checkPassword(ctx context.Context, u *identity.User, password string) error {
	if password == "" || len(password) > MaxPasswordLength {
		return ErrInvalidCredentials
	}
	ok, _, err := s.hasher.Verify(ctx, password, u.PasswordHash)
	if err != nil {
		return fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return ErrInvalidCredentials
	}
	return nil
}
