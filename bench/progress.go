package bench

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Progress shows on a terminal what the bench is doing: one line per finished phase and, on a
// TTY, a live status line redrawn four times a second. It is safe for concurrent use; a nil
// *Progress shows nothing.
type Progress struct {
	w     io.Writer
	tty   bool
	start time.Time

	mu    sync.Mutex
	phase string
	began time.Time
	live  func() string
	stop  chan struct{}
	done  chan struct{}
}

// NewProgress writes to w; a live line is drawn only when w is a terminal.
func NewProgress(w io.Writer) *Progress {
	p := &Progress{w: w, tty: isTerminal(w), start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	if p.tty {
		go p.redraw()
	} else {
		close(p.done)
	}
	return p
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Phase starts a phase.
func (p *Progress) Phase(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.began, p.live = name, time.Now(), nil
	if !p.tty {
		fmt.Fprintf(p.w, "[%6.1fs] %s ...\n", time.Since(p.start).Seconds(), name)
	}
}

// Live sets what the live line shows for the current phase.
func (p *Progress) Live(f func() string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.live = f
	p.mu.Unlock()
}

// Done ends the current phase with a one-line summary.
func (p *Progress) Done(summary string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	clear := ""
	if p.tty {
		clear = "\r\x1b[K"
	}
	fmt.Fprintf(p.w, "%s[%6.1fs] %s: %s (%s)\n", clear, time.Since(p.start).Seconds(), p.phase, summary,
		fmtDur(time.Since(p.began).Round(time.Millisecond)))
	p.phase, p.live = "", nil
}

// Note prints a line outside any phase.
func (p *Progress) Note(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	clear := ""
	if p.tty {
		clear = "\r\x1b[K"
	}
	fmt.Fprintf(p.w, clear+format+"\n", args...)
}

// Close stops the live line.
func (p *Progress) Close() {
	if p == nil {
		return
	}
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

func (p *Progress) redraw() {
	defer close(p.done)
	spin := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-p.stop:
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\x1b[K")
			p.mu.Unlock()
			return
		case <-tick.C:
		}
		p.mu.Lock()
		if p.phase != "" {
			line := p.phase
			if p.live != nil {
				line = p.live()
			}
			fmt.Fprintf(p.w, "\r\x1b[K%c [%6.1fs] %s", spin[i%len(spin)], time.Since(p.start).Seconds(), line)
		}
		p.mu.Unlock()
	}
}
