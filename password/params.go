package password

import "fmt"

// Params are the argon2id cost parameters and lengths.
type Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived key in bytes.
	KeyLen uint32
}

// DefaultParams are the OWASP Password Storage Cheat Sheet parameters for argon2id:
// 19 MiB of memory, 2 passes, 1 thread, a 16-byte salt and a 32-byte key.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Limits on parameters, so a corrupted or hostile stored hash cannot make one verification
// allocate unbounded memory or run for minutes.
const (
	maxMemory  = 4 << 20 // KiB, 4 GiB
	maxTime    = 100
	minSaltLen = 8 // the argon2 minimum
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

// Validate returns an error wrapping ErrInvalidParams unless every parameter is within the
// accepted range: 1 ≤ Threads, 8·Threads ≤ Memory ≤ 4 GiB, 1 ≤ Time ≤ 100, salt 8 to 64 bytes,
// key 16 to 64 bytes.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("%w: threads %d, want at least 1", ErrInvalidParams, p.Threads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("%w: memory %d KiB, want %d to %d", ErrInvalidParams, p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: time %d, want 1 to %d", ErrInvalidParams, p.Time, maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt length %d, want %d to %d", ErrInvalidParams, p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: key length %d, want %d to %d", ErrInvalidParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}
