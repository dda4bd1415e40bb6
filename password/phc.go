package password

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// b64 is the PHC string encoding of salt and hash: standard alphabet, no padding, and
// canonical (no stray bits), so that every accepted string re-encodes to itself.
var b64 = base64.RawStdEncoding.Strict()

// maxEncodedLen bounds the PHC string decode reads: the longest valid one, with the largest
// parameters, salt and key, is under 220 bytes.
const maxEncodedLen = 256

// phc is a decoded argon2id PHC string.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

// encode returns the PHC string $argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<key>.
func (h phc) encode() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.params.Memory, h.params.Time, h.params.Threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// decode parses an argon2id PHC string as encode writes it. Every error wraps ErrMalformedHash.
func decode(s string) (phc, error) {
	if len(s) > maxEncodedLen {
		return phc{}, fmt.Errorf("%w: %d bytes long, want at most %d", ErrMalformedHash, len(s), maxEncodedLen)
	}
	fields := strings.Split(s, "$")
	if len(fields) != 6 || fields[0] != "" {
		return phc{}, fmt.Errorf("%w: want 5 $-separated fields", ErrMalformedHash)
	}
	if fields[1] != "argon2id" {
		return phc{}, fmt.Errorf("%w: algorithm %q, want argon2id", ErrMalformedHash, fields[1])
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, fmt.Errorf("%w: version %q, want v=%d", ErrMalformedHash, fields[2], argon2.Version)
	}

	var h phc
	params := strings.Split(fields[3], ",")
	if len(params) != 3 {
		return phc{}, fmt.Errorf("%w: parameters %q, want m=,t=,p=", ErrMalformedHash, fields[3])
	}
	m, err := parseParam(params[0], "m", 32)
	if err != nil {
		return phc{}, err
	}
	t, err := parseParam(params[1], "t", 32)
	if err != nil {
		return phc{}, err
	}
	p, err := parseParam(params[2], "p", 8)
	if err != nil {
		return phc{}, err
	}
	if h.salt, err = decodeB64(fields[4], "salt"); err != nil {
		return phc{}, err
	}
	if h.key, err = decodeB64(fields[5], "hash"); err != nil {
		return phc{}, err
	}
	h.params = Params{
		Memory:  uint32(m),
		Time:    uint32(t),
		Threads: uint8(p),
		SaltLen: uint32(len(h.salt)),
		KeyLen:  uint32(len(h.key)),
	}
	if err := h.params.Validate(); err != nil {
		return phc{}, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return h, nil
}

// parseParam parses "<name>=<decimal>" with no sign and no leading zero.
func parseParam(field, name string, bits int) (uint64, error) {
	v, ok := strings.CutPrefix(field, name+"=")
	if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
		return 0, fmt.Errorf("%w: parameter %q, want %s=<number>", ErrMalformedHash, field, name)
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: parameter %q: %w", ErrMalformedHash, field, err)
	}
	return n, nil
}

// decodeB64 decodes a salt or hash field. encoding/base64 skips \r and \n; a PHC string has
// none, so they are rejected too.
func decodeB64(field, name string) ([]byte, error) {
	if strings.ContainsAny(field, "\r\n") {
		return nil, fmt.Errorf("%w: %s contains a line break", ErrMalformedHash, name)
	}
	b, err := b64.DecodeString(field)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedHash, name, err)
	}
	return b, nil
}
