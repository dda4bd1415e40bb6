package redis

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/authgate/authgate/session"
)

// A session record is one Redis string (a small hash would exceed Redis' compact-encoding
// limit of 64-byte values and cost twice the memory), version 1:
//
//	version    1 byte (1)
//	LastSeenAt 6 bytes, big-endian signed unix milliseconds
//	IdleTimeout 6 bytes, milliseconds
//	ExpiresAt  6 bytes, unix milliseconds
//	flags      1 byte: bit 0 MFA, bit 1 the IP is 4 or 16 binary bytes (else its text)
//	username   uvarint length, bytes
//	roles      uvarint count, then each as uvarint length, bytes
//	IP         uvarint length, bytes
//	user agent uvarint length, bytes (at most session.MaxUserAgent)
//	CreatedAt  varint unix milliseconds
//
// The three numbers up front have a fixed layout so that the Touch script can read them and
// rewrite LastSeenAt in place (Lua struct.unpack('>i6i6i6')). Six bytes hold +-4,400 years of
// milliseconds; times beyond are clamped. The ID and the subject are not stored: they are the
// key. Times keep millisecond precision.
const (
	codecVersion = 1
	headerLen    = 19
	flagMFA      = 1 << 0
	flagIPBinary = 1 << 1
	maxInt48     = 1<<47 - 1
	minInt48     = -1 << 47
)

// record is a session as stored, with the numbers the scripts need.
type record struct {
	data                    []byte
	lastSeen, idle, expires int64 // milliseconds
}

// deadline is the session's Deadline in unix milliseconds, as Find will compute it from the
// stored (millisecond) values.
func (r record) deadline() int64 { return min(r.lastSeen+r.idle, r.expires) }

// clamp48 bounds v to what six bytes hold.
func clamp48(v int64) int64 { return max(minInt48, min(v, maxInt48)) }

func putInt48(b []byte, v int64) {
	for i := 5; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
}

func int48(b []byte) int64 {
	var v int64
	for _, c := range b[:6] {
		v = v<<8 | int64(c)
	}
	return v << 16 >> 16 // sign-extend bit 47
}

func encodeSession(s *session.Session) record {
	r := record{
		lastSeen: clamp48(s.LastSeenAt.UnixMilli()),
		idle:     clamp48(s.IdleTimeout.Milliseconds()),
		expires:  clamp48(s.ExpiresAt.UnixMilli()),
	}
	var flags byte
	if s.MFA {
		flags |= flagMFA
	}
	ip := []byte(s.IP)
	if a, err := netip.ParseAddr(s.IP); err == nil && a.Zone() == "" && a.String() == s.IP {
		flags |= flagIPBinary
		ip = a.AsSlice()
	}
	ua := s.UserAgent
	if len(ua) > session.MaxUserAgent {
		ua = strings.ToValidUTF8(ua[:session.MaxUserAgent], "")
	}
	b := make([]byte, headerLen, headerLen+8+len(s.Username)+len(ip)+len(ua)+8*len(s.Roles)+10)
	b[0] = codecVersion
	putInt48(b[1:], r.lastSeen)
	putInt48(b[7:], r.idle)
	putInt48(b[13:], r.expires)
	b = append(b, flags)
	b = appendString(b, s.Username)
	b = binary.AppendUvarint(b, uint64(len(s.Roles)))
	for _, role := range s.Roles {
		b = appendString(b, role)
	}
	b = appendString(b, string(ip))
	b = appendString(b, ua)
	b = binary.AppendVarint(b, s.CreatedAt.UnixMilli())
	r.data = b
	return r
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decodeSession rebuilds the session stored under subject and id.
func decodeSession(subject, id string, data []byte) (*session.Session, error) {
	if len(data) < headerLen+1 || data[0] != codecVersion {
		return nil, fmt.Errorf("%w: %d bytes, not version %d", ErrCorruptRecord, len(data), codecVersion)
	}
	d := decoder{b: data[headerLen:]}
	flags := d.byte()
	s := &session.Session{
		ID:          id,
		Subject:     subject,
		MFA:         flags&flagMFA != 0,
		LastSeenAt:  time.UnixMilli(int48(data[1:])),
		IdleTimeout: time.Duration(int48(data[7:])) * time.Millisecond,
		ExpiresAt:   time.UnixMilli(int48(data[13:])),
	}
	s.Username = d.string()
	if n := d.uvarint(); n > 0 {
		if n > uint64(len(d.b)) { // each role takes at least a byte
			return nil, fmt.Errorf("%w: %d roles", ErrCorruptRecord, n)
		}
		s.Roles = make([]string, n)
		for i := range s.Roles {
			s.Roles[i] = d.string()
		}
	}
	ip := d.string()
	if flags&flagIPBinary != 0 {
		a, ok := netip.AddrFromSlice([]byte(ip))
		if !ok {
			return nil, fmt.Errorf("%w: IP of %d bytes", ErrCorruptRecord, len(ip))
		}
		ip = a.String()
	}
	s.IP = ip
	s.UserAgent = d.string()
	s.CreatedAt = time.UnixMilli(d.varint())
	if d.err || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: malformed login data", ErrCorruptRecord)
	}
	return s, nil
}

// decoder reads the d field; a read past the end sets err and returns zero values.
type decoder struct {
	b   []byte
	err bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = true
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err = true
		d.b = nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
